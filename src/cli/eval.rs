//! `proviso eval`: evaluate documents and print decisions as text or JSON Lines.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use proviso::{Decision, DocumentError, PolicySet};

use super::input::{self, InputFormat};
use super::{
    check::report_load_error, render, OutputFormat, EXIT_DOCUMENT, EXIT_FAILURE, EXIT_OK,
    EXIT_POLICY,
};

#[derive(clap::Args)]
pub struct Args {
    /// A policy file, or a directory tree of them
    policies: PathBuf,
    /// Documents: YAML or JSON files, `.jsonl` files (one document per line), directories of them, or `-` for standard input
    #[arg(required = true)]
    documents: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Judge by the policy version in force on this date (YYYY-MM-DD) instead of the document's dates
    #[arg(long, value_parser = parse_date)]
    at: Option<NaiveDate>,
    /// Refuse every document field the policy does not declare (by default only those that
    /// look like misspellings of declared fields are refused)
    #[arg(long)]
    strict: bool,
    /// How to read the documents, instead of guessing from the file name or content
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2025-06-01, found `{s}`"))
}

pub fn run(args: &Args) -> i32 {
    let set = match PolicySet::load(&args.policies) {
        Ok(s) => s.strict(args.strict),
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    for arg in &input::expand(&args.documents) {
        let input = match input::read(arg, args.input_format) {
            Ok(i) => i,
            Err(message) => {
                render::message(&format!("error: {message}\n"));
                failed = true;
                continue;
            }
        };
        for doc in input.documents() {
            let result = set.evaluate_at(&doc, args.at);
            failed |= result.is_err();
            if write(&mut out, args.format, &result).is_err() {
                return EXIT_FAILURE;
            }
        }
    }
    if out.flush().is_err() {
        return EXIT_FAILURE;
    }
    if failed {
        EXIT_DOCUMENT
    } else {
        EXIT_OK
    }
}

fn write(
    out: &mut impl Write,
    format: OutputFormat,
    result: &Result<Decision, DocumentError>,
) -> std::io::Result<()> {
    match (format, result) {
        (OutputFormat::Json, Ok(d)) => {
            serde_json::to_writer(&mut *out, d).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        (OutputFormat::Json, Err(e)) => {
            out.flush()?;
            render::eprint(e);
            let line = serde_json::json!({
                "document": e.document,
                "error": { "message": e.message, "path": e.path },
            });
            writeln!(out, "{line}")
        }
        (OutputFormat::Text, Ok(d)) => text(out, d),
        (OutputFormat::Text, Err(e)) => {
            out.flush()?;
            render::eprint(e);
            Ok(())
        }
    }
}

fn text(out: &mut impl Write, d: &Decision) -> std::io::Result<()> {
    let amount = match (&d.payout, &d.refund) {
        (_, Some(r)) => format!(
            ", refund {} {}",
            proviso::decision::format_money(r.amount),
            r.currency
        ),
        (Some(p), None) if d.decision == proviso::Outcome::Approved => {
            format!(
                ", pays {} {}",
                proviso::decision::format_money(p.amount),
                p.currency
            )
        }
        _ => String::new(),
    };
    writeln!(out, "{}: {}{amount}", d.document, d.decision.as_str())?;
    let short: String = d.policy.sha256.chars().take(12).collect();
    let picked = match (d.policy.in_force_on, d.policy.date_from) {
        (Some(day), Some(from)) => format!(", in force on {} ({from})", day.format("%Y-%m-%d")),
        _ => String::new(),
    };
    writeln!(
        out,
        "  policy     {} {} (sha256 {short}...){picked}",
        d.policy.name, d.policy.version
    )?;
    for r in &d.reasons {
        writeln!(
            out,
            "  {:<10} {} ({}, {})",
            "because", r.rule, r.kind, r.source
        )?;
        writeln!(out, "             \"{}\"", r.text)?;
    }
    if let Some(refund) = &d.refund {
        for step in &refund.breakdown {
            let amount = proviso::decision::format_money(step.amount);
            writeln!(
                out,
                "  {:<10} {amount:>10} {} {}",
                "step", refund.currency, step.rule
            )?;
        }
    }
    let evidence = [
        ("missing", &d.missing_evidence),
        ("recommend", &d.recommended_evidence),
    ];
    for (label, list) in evidence {
        for m in list {
            writeln!(
                out,
                "  {label:<10} {}: any of {}",
                m.requirement,
                m.any_of.join(", ")
            )?;
        }
    }
    for (label, r) in [("priority", &d.priority), ("appeal", &d.appeal)] {
        if let Some(r) = r {
            writeln!(out, "  {label:<9} {} ({})", r.rule, r.source)?;
            writeln!(out, "            \"{}\"", r.text)?;
        }
    }
    for (name, value) in d.deadlines.0.iter().chain(&d.notes.0) {
        if let Some(v) = value {
            writeln!(out, "  {name:<10} {v}")?;
        }
    }
    writeln!(out)
}
