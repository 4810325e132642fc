//! `proviso eval`: evaluate documents and print decisions as text or JSON Lines.

use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use proviso::internals::batch;
use proviso::internals::tally::{Counted, Tally, Totals};
use proviso::DocumentError;
use proviso::Input;
use proviso::{Decision, Document, Format, PolicySet, Trace};
use serde::Serialize;

use super::escape::Shown;
use super::input::{self, InputError, InputFormat, Options, Sink};
use super::{
    check::report_load_error, explain, output, render, OutputFormat, EXIT_DOCUMENT, EXIT_OK,
    EXIT_POLICY,
};

#[derive(clap::Args)]
pub struct Args {
    /// A policy file, or a directory tree of them (walked recursively; a symbolic link to a directory is followed, but each real directory is read once)
    policies: PathBuf,
    /// Documents: YAML or JSON files, `.jsonl` files (one document per line), directories of them
    /// (walked recursively; a symbolic link to a directory is followed, but each real directory is
    /// read once), or `-` for standard input
    #[arg(required = true)]
    documents: Vec<String>,
    /// Output format. Text output of more than one document ends with a summary: how many
    /// documents, of each outcome and without a decision, and the payouts and refunds
    /// approved, totalled by currency
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Judge by the policy version in force on this date (YYYY-MM-DD) instead of the document's dates
    #[arg(long, value_parser = parse_date)]
    at: Option<NaiveDate>,
    /// Refuse every document field the policy does not declare (by default only those that
    /// look like misspellings of declared fields are refused)
    #[arg(long)]
    strict: bool,
    /// How to read the documents, instead of guessing: from the file name (`.json` is JSON,
    /// `.jsonl` and `.ndjson` JSON Lines, anything else YAML) or, on standard input, from its
    /// lines (JSON Lines when a line after the first starts with `{`)
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// The largest document read: a whole YAML or JSON file, or one line of JSON Lines.
    /// In bytes, or with a unit: 64KiB, 16MiB, 1GiB. A larger one is an error, and reading
    /// stops at the limit
    #[arg(long, value_name = "SIZE", value_parser = input::parse_size, default_value = "16MiB")]
    max_document_bytes: u64,
    /// Also show how each decision was reached: every rule considered, in order, whether
    /// its condition held, each `and`/`or` part with its value, and the facts, constants
    /// and values read, with their places in the policy (JSON: an `explain` field)
    #[arg(long)]
    explain: bool,
    /// How many documents to decide at once, on as many threads; decisions are written in
    /// input order all the same. Default: the cores available
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    proviso::internals::document::parse_date(s).ok_or_else(|| {
        format!(
            "expected a date written YYYY-MM-DD (years 0001 to 9999), like 2025-06-01, found `{s}`"
        )
    })
}

pub fn run(args: &Args) -> i32 {
    let set = match PolicySet::load(&args.policies) {
        Ok(s) => s.strict(args.strict),
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    let opts = Options {
        format: args.input_format,
        max_bytes: args.max_document_bytes,
    };
    let mut sink = Evaluate {
        decider: Decider {
            set: &set,
            at: args.at,
            explain: args.explain,
            format: args.format,
        },
        out: output::stdout(),
        failed: false,
        tally: Tally::default(),
    };
    let jobs = args.jobs.unwrap_or_else(batch::default_jobs);
    let read = if jobs.get() == 1 {
        input::read_all(&args.documents, &opts, &mut sink)
    } else {
        parallel(&args.documents, &opts, jobs, &mut sink)
    };
    let read = read.and_then(|()| match args.format {
        OutputFormat::Text if sink.tally.documents() > 1 => summary(&mut sink.out, &sink.tally),
        _ => Ok(()),
    });
    if let Err(e) = read.and_then(|()| sink.out.flush()) {
        return output::stdout_failed(&e);
    }
    if sink.failed {
        EXIT_DOCUMENT
    } else {
        EXIT_OK
    }
}

/// Decides each document as it is read and writes the decision (or error) at once.
struct Evaluate<'a, W> {
    decider: Decider<'a>,
    out: W,
    failed: bool,
    /// The outcomes and amounts so far, for the summary.
    tally: Tally,
}

/// A document that got no decision, as a line of JSON output.
#[derive(Serialize)]
pub struct ErrorLine<'a> {
    document: Option<&'a str>,
    error: ErrorBody<'a>,
    input: &'a Input,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    path: Option<&'a str>,
}

impl<'a> ErrorLine<'a> {
    /// The line for a document read that got no decision.
    pub fn undecided(e: &'a DocumentError, input: &'a Input) -> Self {
        ErrorLine {
            document: e.document.as_deref(),
            error: ErrorBody {
                message: &e.message,
                path: e.path.as_deref(),
            },
            input,
        }
    }

    /// The line for an input (or one line of it) that holds no readable document.
    pub fn unread(e: &'a InputError) -> Self {
        ErrorLine {
            document: None,
            error: ErrorBody {
                message: &e.message,
                path: None,
            },
            input: &e.input,
        }
    }

    /// Writes the line, with its line break.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self).map_err(io::Error::other)?;
        writeln!(out)
    }
}

impl<W: Write> Evaluate<'_, W> {
    /// Reports a document or input that got no decision: a diagnostic on standard error
    /// and, with `--format json`, an error line.
    fn failure(&mut self, shown: &dyn miette::Diagnostic, line: &ErrorLine<'_>) -> io::Result<()> {
        self.failed = true;
        self.tally.error();
        self.out.flush()?;
        render::eprint(shown);
        if self.decider.format == OutputFormat::Json {
            line.write(&mut self.out)?;
        }
        Ok(())
    }
}

/// How each document is decided and written: shared by the threads of `--jobs` (and by
/// the requests of `proviso serve`).
#[derive(Clone, Copy)]
pub struct Decider<'a> {
    pub set: &'a PolicySet,
    pub at: Option<NaiveDate>,
    pub explain: bool,
    pub format: OutputFormat,
}

impl Decider<'_> {
    /// Decides a document (with its trace when explaining).
    pub fn decide(&self, doc: &Document<'_>) -> Result<(Decision, Option<Trace>), DocumentError> {
        if self.explain {
            self.set.explain_at(doc, self.at).map(|(d, t)| (d, Some(t)))
        } else {
            self.set.evaluate_at(doc, self.at).map(|d| (d, None))
        }
    }
}

impl<W: Write> Evaluate<'_, W> {
    /// Reports a document that got no decision.
    fn undecided(&mut self, e: &DocumentError, input: &Input) -> io::Result<()> {
        self.failure(e, &ErrorLine::undecided(e, input))
    }
}

/// Writes a decision as `format` asks.
pub fn write_decision(
    out: &mut impl Write,
    format: OutputFormat,
    d: &Decision,
    trace: Option<&Trace>,
) -> io::Result<()> {
    match (format, trace) {
        (OutputFormat::Json, None) => {
            d.write_json(out)?;
            writeln!(out)
        }
        (OutputFormat::Json, Some(t)) => explain::json(out, d, t),
        (OutputFormat::Text, t) => text(out, d, t),
    }
}

impl<W: Write> Sink for Evaluate<'_, W> {
    fn document(&mut self, doc: &Document<'_>) -> io::Result<()> {
        match self.decider.decide(doc) {
            Ok((d, trace)) => {
                self.tally.add(&d);
                write_decision(&mut self.out, self.decider.format, &d, trace.as_ref())
            }
            Err(e) => self.undecided(&e, &doc.input()),
        }
    }

    fn error(&mut self, e: &InputError) -> io::Result<()> {
        self.failure(e, &ErrorLine::unread(e))
    }

    fn idle(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// What the reader hands on, in input order, a chunk at a time.
enum Item {
    /// A document whose text is at `text` of the chunk's [`Chunk::text`].
    Document {
        name: Arc<str>,
        text: std::ops::Range<usize>,
        format: Format,
        line: usize,
    },
    Error(InputError),
    Idle,
}

/// Items in input order, with the texts of their documents side by side in one buffer:
/// one allocation a chunk rather than one a document, made on the reading thread and freed
/// on a worker's.
#[derive(Default)]
struct Chunk {
    text: String,
    items: Vec<Item>,
}

/// What a worker makes of an item: a decision already written out (where in the chunk's
/// buffer), or what to report.
enum Done {
    Decided(Counted, std::ops::Range<usize>),
    Undecided(DocumentError, Input),
    Error(InputError),
    Idle,
    /// The decision could not be written out (into memory: it cannot happen).
    Unwritten(io::Error),
}

/// Reads on one thread, decides and writes each decision into a buffer on `jobs` threads,
/// and writes the buffers (and reports errors) in input order on this one.
fn parallel<W: Write>(
    documents: &[String],
    opts: &Options,
    jobs: NonZeroUsize,
    sink: &mut Evaluate<'_, W>,
) -> io::Result<()> {
    let decider = sink.decider;
    let format = decider.format;
    let mut failed: Option<io::Error> = None;
    batch::ordered(
        jobs,
        |push| {
            let mut feed = Feed {
                push,
                chunk: Chunk::default(),
            };
            // An error here only says that the consumer stopped: it has the reason.
            if input::read_all(documents, opts, &mut feed).is_ok() {
                let _ = feed.hand_on();
            }
        },
        // The decisions of a chunk are written into one buffer, and each is dropped where
        // it was made: the writing thread only copies bytes out.
        |chunk: Chunk| {
            let mut buf = Vec::new();
            let done = chunk
                .items
                .into_iter()
                .map(|item| match item {
                    Item::Document {
                        name,
                        text,
                        format: read_as,
                        line,
                    } => {
                        let doc = Document {
                            name,
                            text: chunk.text.get(text).unwrap_or_default(),
                            format: read_as,
                            line,
                        };
                        match decider.decide(&doc) {
                            Ok((d, trace)) => {
                                let start = buf.len();
                                match write_decision(&mut buf, format, &d, trace.as_ref()) {
                                    Ok(()) => Done::Decided(Counted::of(&d), start..buf.len()),
                                    Err(e) => Done::Unwritten(e),
                                }
                            }
                            Err(e) => Done::Undecided(e, doc.input()),
                        }
                    }
                    Item::Error(e) => Done::Error(e),
                    Item::Idle => Done::Idle,
                })
                .collect::<Vec<Done>>();
            (buf, done)
        },
        |(buf, chunk): (Vec<u8>, Vec<Done>)| {
            // Each decision was written into `buf` where the one before it ended (reports
            // are not written there), so the decisions since the last report are one run of
            // `buf`, written out with one call: the buffered writer passes so long a slice
            // straight on instead of copying it, decision by decision, into its own buffer.
            // A decision that does not start where the run ends starts a run of its own.
            let mut run: Option<std::ops::Range<usize>> = None;
            for done in chunk {
                let written = match done {
                    Done::Decided(counted, at) => {
                        sink.tally.count(&counted);
                        match run.take() {
                            Some(r) if r.end == at.start => {
                                run = Some(r.start..at.end);
                                Ok(())
                            }
                            // Not where the run ends (were `buf` ever written between
                            // decisions): the run so far first, then a new one.
                            earlier => {
                                run = Some(at);
                                write_run(&mut sink.out, &buf, earlier)
                            }
                        }
                    }
                    other => {
                        write_run(&mut sink.out, &buf, run.take()).and_then(|()| match other {
                            Done::Undecided(e, input) => sink.undecided(&e, &input),
                            Done::Error(e) => sink.error(&e),
                            Done::Idle => sink.out.flush(),
                            Done::Unwritten(e) => Err(e),
                            Done::Decided(..) => Ok(()),
                        })
                    }
                };
                if let Err(e) = written {
                    failed = Some(e);
                    return false;
                }
            }
            if let Err(e) = write_run(&mut sink.out, &buf, run) {
                failed = Some(e);
                return false;
            }
            true
        },
    );
    failed.map_or(Ok(()), Err)
}

/// Writes the decisions at `run` of `buf`, if any.
fn write_run(
    out: &mut impl Write,
    buf: &[u8],
    run: Option<std::ops::Range<usize>>,
) -> io::Result<()> {
    match run {
        Some(at) => out.write_all(buf.get(at).unwrap_or_default()),
        None => Ok(()),
    }
}

/// The reader's sink when deciding in parallel: documents, errors and pauses are handed on
/// in order, in chunks; a pause (the reader is about to wait for input) ends a chunk, so
/// what was read is decided and written while the reader waits.
struct Feed<'p> {
    push: &'p mut dyn FnMut(Chunk) -> bool,
    chunk: Chunk,
}

impl Feed<'_> {
    /// Hands on the chunk so far, if any.
    fn hand_on(&mut self) -> io::Result<()> {
        if self.chunk.items.is_empty() || (self.push)(std::mem::take(&mut self.chunk)) {
            Ok(())
        } else {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    fn add(&mut self, item: Item) -> io::Result<()> {
        self.chunk.items.push(item);
        // A chunk is handed on once full (see `batch::chunk_full`); a larger document goes
        // alone.
        if batch::chunk_full(self.chunk.items.len(), self.chunk.text.len()) {
            self.hand_on()?;
        }
        Ok(())
    }
}

impl Sink for Feed<'_> {
    fn document(&mut self, doc: &Document<'_>) -> io::Result<()> {
        let start = self.chunk.text.len();
        self.chunk.text.push_str(doc.text);
        self.add(Item::Document {
            name: doc.name.clone(),
            text: start..self.chunk.text.len(),
            format: doc.format,
            line: doc.line,
        })
    }

    fn error(&mut self, e: &InputError) -> io::Result<()> {
        self.add(Item::Error(e.clone()))
    }

    fn idle(&mut self) -> io::Result<()> {
        self.chunk.items.push(Item::Idle);
        self.hand_on()
    }
}

/// A decision for people: a heading naming its input, then the outcome and why. Every
/// string from a document or policy is shown with its control characters escaped.
fn text(out: &mut impl Write, d: &Decision, trace: Option<&Trace>) -> io::Result<()> {
    if let Some(input) = &d.input {
        writeln!(out, "{}", Shown(&input::label(input)))?;
    }
    let amount = match (&d.payout, &d.refund) {
        (_, Some(r)) => format!(
            ", refund {} {}",
            proviso::format_money(r.amount),
            Shown(&r.currency)
        ),
        (Some(p), None) if d.decision == proviso::Outcome::Approved => {
            format!(
                ", pays {} {}",
                proviso::format_money(p.amount),
                Shown(&p.currency)
            )
        }
        _ => String::new(),
    };
    let id = match d.document.as_str() {
        "" => "(no id)".to_string(),
        id => Shown(id).to_string(),
    };
    writeln!(out, "{id}: {}{amount}", d.decision.as_str())?;
    let short: String = d.policy.sha256.chars().take(12).collect();
    let picked = match (d.policy.in_force_on, &d.policy.date_from) {
        (Some(day), Some(from)) => format!(", in force on {} ({from})", day.format("%Y-%m-%d")),
        _ => String::new(),
    };
    writeln!(
        out,
        "  policy     {} {} (sha256 {short}...){picked}",
        Shown(&d.policy.name),
        Shown(&d.policy.version)
    )?;
    if let Some(p) = d
        .payout
        .as_ref()
        .filter(|_| d.decision == proviso::Outcome::Approved)
    {
        for c in &p.components {
            amount_line(out, "component", c.amount, &p.currency, &c.name)?;
        }
    }
    for r in &d.reasons {
        writeln!(
            out,
            "  {:<10} {} ({}, {})",
            "because",
            Shown(&r.rule),
            r.kind,
            Shown(&r.source)
        )?;
        writeln!(out, "             \"{}\"", Shown(&r.text))?;
        if let Some(e) = &r.eligible_from {
            writeln!(out, "             eligible from {}", Shown(e))?;
        }
        if let Some(f) = &r.failure {
            let at = f
                .source
                .as_deref()
                .map(|s| format!(" at {}", Shown(s)))
                .unwrap_or_default();
            // A rule waiting for an assessed input did not fail: it cannot be decided yet.
            let label = if f.message.starts_with("waits for ") {
                "waiting"
            } else {
                "failed"
            };
            writeln!(out, "  {label:<10} {}{at}", Shown(&f.message))?;
        }
    }
    if let Some(e) = &d.eligible_from {
        writeln!(out, "  {:<10} from {}", "eligible", Shown(e))?;
    }
    for n in &d.not_met {
        writeln!(
            out,
            "  {:<10} {} ({})",
            "not met",
            Shown(&n.rule),
            Shown(&n.source)
        )?;
        writeln!(out, "             \"{}\"", Shown(&n.text))?;
        writeln!(
            out,
            "  {:<10} {} ({})",
            "failed on",
            Shown(&n.condition),
            Shown(&n.condition_source)
        )?;
    }
    if let Some(refund) = &d.refund {
        for step in &refund.breakdown {
            amount_line(out, "step", step.amount, &refund.currency, &step.rule)?;
        }
    }
    let evidence = [
        ("missing", &d.missing_evidence),
        ("recommend", &d.recommended_evidence),
    ];
    for (label, list) in evidence {
        for m in list {
            let kinds: Vec<String> = m.any_of.iter().map(|k| Shown(k).to_string()).collect();
            writeln!(
                out,
                "  {label:<10} {}: any of {}",
                Shown(&m.requirement),
                kinds.join(", ")
            )?;
        }
    }
    for a in &d.awaiting {
        writeln!(
            out,
            "  {:<10} {} ({})",
            "awaiting",
            Shown(&a.input),
            Shown(&a.source)
        )?;
    }
    for (label, r) in [("priority", &d.priority), ("appeal", &d.appeal)] {
        if let Some(r) = r {
            writeln!(
                out,
                "  {label:<9} {} ({})",
                Shown(&r.rule),
                Shown(&r.source)
            )?;
            writeln!(out, "            \"{}\"", Shown(&r.text))?;
        }
    }
    for (name, value) in d.deadlines.0.iter().chain(&d.notes.0) {
        if let Some(v) = value {
            writeln!(out, "  {:<10} {}", Shown(name), Shown(v))?;
        }
    }
    if let Some(t) = trace {
        if let Some(p) = &d.payout {
            for step in &p.breakdown {
                let amount = proviso::format_money(step.amount);
                let on = step
                    .component
                    .as_deref()
                    .map(|c| format!(" ({})", Shown(c)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {:<10} {amount:>10} {} {}{on}",
                    "step",
                    Shown(&p.currency),
                    Shown(&step.rule)
                )?;
            }
        }
        explain::text(out, t)?;
    }
    writeln!(out)
}

/// The summary that ends the text output of a batch: how many documents, each outcome and
/// the errors, then the payouts of approved claims and the refunds of approved
/// cancellations, totalled by currency.
fn summary(out: &mut impl Write, t: &Tally) -> io::Result<()> {
    let errors = match t.errors {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    };
    writeln!(
        out,
        "summary: {} documents; {} approved, {} denied, {} incomplete, {} referred; {errors}",
        t.documents(),
        t.approved,
        t.denied,
        t.incomplete,
        t.referred
    )?;
    writeln!(out, "  total payout   {}", totals(&t.payout))?;
    writeln!(out, "  total refunds  {}", totals(&t.refunds))
}

/// `1234.56 USD, 10.00 EUR` (by currency code), or `none`.
fn totals(t: &Totals) -> String {
    if t.0.is_empty() {
        return "none".into();
    }
    let sums: Vec<String> =
        t.0.iter()
            .map(|(currency, sum)| match sum {
                Some(sum) => format!("{} {}", proviso::format_money(*sum), Shown(currency)),
                None => format!("more than a decimal holds, in {}", Shown(currency)),
            })
            .collect();
    sums.join(", ")
}

/// A labelled amount of the text output, aligned: `  step           12.00 USD admin_fee`.
fn amount_line(
    out: &mut impl Write,
    label: &str,
    amount: rust_decimal::Decimal,
    currency: &str,
    name: &str,
) -> io::Result<()> {
    let amount = proviso::format_money(amount);
    writeln!(
        out,
        "  {label:<10} {amount:>10} {} {}",
        Shown(currency),
        Shown(name)
    )
}
