//! `proviso eval --explain`: a decision's trace, rule by rule, as text or inside its JSON.

use std::io::{self, Write};

use proviso::{
    format_money, AmountTrace, Considered, Decision, Explained, Part, Read, Stage, Trace, Truth,
};

use super::escape::Shown;

/// Writes a decision with its trace as one line of JSON.
pub fn json(out: &mut impl Write, d: &Decision, trace: &Trace) -> io::Result<()> {
    let line = Explained {
        decision: d.clone(),
        trace: trace.clone(),
    };
    serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes a trace for people: one block per rule considered, its condition part by part,
/// each value read indented under the part that read it, every one with its place.
pub fn text(out: &mut impl Write, trace: &Trace) -> io::Result<()> {
    writeln!(out, "  explain")?;
    if trace.rules.is_empty() {
        writeln!(
            out,
            "    no rule was read: the document was referred before any rule"
        )?;
    }
    for c in &trace.rules {
        rule(out, c)?;
    }
    Ok(())
}

fn rule(out: &mut impl Write, c: &Considered) -> io::Result<()> {
    let held = match c.held {
        Truth::True => "held",
        Truth::False => "did not hold",
        Truth::Unknown if c.stage != Stage::CouldBeCovered => {
            "unknown, waits for an assessed input"
        }
        Truth::Unknown => "unknown",
        Truth::Skipped => "skipped",
        Truth::Failed => "failed",
    };
    let stage = match c.stage {
        Stage::CouldBeCovered => ", with the facts the missing evidence asks for unknown",
        Stage::Decide | Stage::Report => "",
    };
    writeln!(
        out,
        "    {} {}: {held}{stage} ({})",
        c.kind,
        Shown(&c.rule),
        Shown(&c.source)
    )?;
    match &c.condition {
        Some(p) => part(out, p, 6)?,
        None => writeln!(out, "      (no condition)")?,
    }
    if let Some(a) = &c.amount {
        amount(out, a)?;
    }
    if let Some(f) = &c.failure {
        let at = f
            .source
            .as_deref()
            .map(|s| format!(" ({})", Shown(s)))
            .unwrap_or_default();
        // A rule waiting for an assessed input did not fail: it cannot be decided yet.
        let label = if f.message.starts_with("waits for ") {
            "waiting"
        } else {
            "failed"
        };
        writeln!(out, "      {label}: {}{at}", Shown(&f.message))?;
    }
    Ok(())
}

fn part(out: &mut impl Write, p: &Part, indent: usize) -> io::Result<()> {
    writeln!(
        out,
        "{:indent$}{}: {} ({})",
        "",
        Shown(&one_line(&p.text)),
        p.value.as_str(),
        Shown(&p.source)
    )?;
    for sub in &p.parts {
        part(out, sub, indent + 2)?;
    }
    for r in &p.reads {
        read(out, r, indent + 2)?;
    }
    Ok(())
}

fn amount(out: &mut impl Write, a: &AmountTrace) -> io::Result<()> {
    let value = format_money(a.value);
    match a.before {
        Some(before) => writeln!(
            out,
            "      {} {value}: {} -> {}",
            a.clause,
            format_money(before),
            format_money(a.after)
        )?,
        None => writeln!(out, "      {} {value}", a.clause)?,
    }
    for r in &a.reads {
        read(out, r, 8)?;
    }
    Ok(())
}

fn read(out: &mut impl Write, r: &Read, indent: usize) -> io::Result<()> {
    let value = match (&r.value, r.unknown, &r.failure) {
        (Some(v), _, _) => format!("= {}", Shown(v)),
        (None, true, _) => "unknown".to_string(),
        (None, false, Some(f)) => format!("could not be computed: {}", Shown(f)),
        (None, false, None) => "absent".to_string(),
    };
    writeln!(
        out,
        "{:indent$}{} {} {value} ({})",
        "",
        r.kind,
        Shown(&r.name),
        Shown(&r.source)
    )
}

/// A condition written over several lines, on one.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
