//! `proviso diff`: what changed in meaning between two policy versions, for reviewers.

use std::io::Write;
use std::path::PathBuf;

use proviso::{diff, Change, ChangeKind, PolicyDiff, PolicyVersion, RuleChange, RuleForm};

use super::escape::{self, Shown};
use super::pick;
use super::versions::Row;
use super::{output, OutputFormat, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// OLD NEW: two policy files; or NAME OLD_VERSION NEW_VERSION: a policy and two of its version labels
    #[arg(required = true, num_args = 2..=3, value_names = ["OLD|NAME", "NEW|OLD_VERSION", "NEW_VERSION"])]
    versions: Vec<String>,
    /// The policy tree NAME's versions are read from [default: policies]
    #[arg(long)]
    policies: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

/// The JSON form: both versions' identities, the number of changes, then the changes.
#[derive(serde::Serialize)]
struct Report<'a> {
    old: Row,
    new: Row,
    changes: usize,
    #[serde(flatten)]
    diff: &'a PolicyDiff,
}

/// Exits 0 whether or not anything changed: a diff is a report, not a check.
pub fn run(args: &Args) -> i32 {
    let (old, new) = match pick::two(&args.versions, args.policies.as_deref()) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let d = diff(&old, &new);
    let mut out = output::stdout();
    let written = match args.format {
        OutputFormat::Text => out.write_all(report(&old, &new, &d).as_bytes()),
        OutputFormat::Json => {
            let report = Report {
                old: Row::of(&old.info()),
                new: Row::of(&new.info()),
                changes: d.changes(),
                diff: &d,
            };
            serde_json::to_writer(&mut out, &report)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => output::stdout_failed(&e),
    }
}

/// The text form of a diff, as `proviso diff` prints it. Clause texts and values are
/// policy text: any control character is escaped.
pub fn report(old: &PolicyVersion, new: &PolicyVersion, d: &PolicyDiff) -> String {
    let mut report = Vec::new();
    // Written into memory: it cannot fail.
    let _ = text(&mut report, old, new, d);
    escape::keep_lines(&String::from_utf8_lossy(&report)).into_owned()
}

fn text(
    out: &mut impl Write,
    old: &PolicyVersion,
    new: &PolicyVersion,
    d: &PolicyDiff,
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
    let sections = [
        ("header", &d.header),
        ("facts", &d.facts),
        ("constants", &d.constants),
        ("derived values", &d.lets),
        ("evidence source", &d.evidence_source),
        ("tables", &d.tables),
        ("hooks", &d.hooks),
        ("hook scripts", &d.hook_scripts),
    ];
    for (title, changes) in sections {
        if changes.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}")?;
        for c in changes {
            entry(out, 2, c)?;
        }
    }
    if !d.rules.is_empty() {
        writeln!(out, "\nrules")?;
        for r in &d.rules {
            rule(out, r)?;
        }
    }
    if !d.rule_order.is_empty() {
        writeln!(
            out,
            "\nrule order (the first coverage rule that holds pays; compensation applies in order)"
        )?;
        for o in &d.rule_order {
            let change = Change {
                name: o.kind.into(),
                change: ChangeKind::Changed,
                old: Some(o.old.join(", ")),
                new: Some(o.new.join(", ")),
                affects: Vec::new(),
            };
            entry(out, 2, &change)?;
        }
    }
    writeln!(out, "\n{}", summary(d))
}

fn summary(d: &PolicyDiff) -> String {
    let n = d.changes();
    let count = match n {
        0 => "no changes".to_string(),
        1 => "1 change".to_string(),
        n => format!("{n} changes"),
    };
    if d.dating().is_empty() {
        count
    } else {
        format!("{count}, besides the version label and dates")
    }
}

/// Old and new on one line when both are short, else on lines of their own.
const ONE_LINE: usize = 60;

fn entry(out: &mut impl Write, indent: usize, c: &Change) -> std::io::Result<()> {
    let pad = " ".repeat(indent);
    match (c.change, &c.old, &c.new) {
        (ChangeKind::Changed, Some(a), Some(b)) if a.len() + b.len() <= ONE_LINE => {
            writeln!(out, "{pad}~ {}: {a} -> {b}", c.name)?;
        }
        (ChangeKind::Changed, Some(a), Some(b)) => {
            writeln!(out, "{pad}~ {}", c.name)?;
            writeln!(out, "{pad}    - {a}")?;
            writeln!(out, "{pad}    + {b}")?;
        }
        (_, Some(a), None) => writeln!(out, "{pad}- {}: {a}", c.name)?,
        (_, _, Some(b)) => writeln!(out, "{pad}+ {}: {b}", c.name)?,
        (_, None, None) => writeln!(out, "{pad}~ {}", c.name)?,
    }
    if !c.affects.is_empty() {
        writeln!(out, "{pad}    affects {}", c.affects.join(", "))?;
    }
    Ok(())
}

fn rule(out: &mut impl Write, r: &RuleChange) -> std::io::Result<()> {
    let position = r
        .position
        .as_ref()
        .map(|p| format!(" (evaluated {p})"))
        .unwrap_or_default();
    match (r.change, &r.old, &r.new) {
        (ChangeKind::Added, _, Some(form)) => {
            writeln!(out, "  + {} {}{position}", r.kind, r.rule)?;
            clauses(out, form)
        }
        (ChangeKind::Removed, Some(form), _) => {
            writeln!(out, "  - {} {}", r.kind, r.rule)?;
            clauses(out, form)
        }
        _ => {
            writeln!(out, "  ~ {} {}{position}", r.kind, r.rule)?;
            for c in &r.differences {
                entry(out, 6, c)?;
            }
            Ok(())
        }
    }
}

fn clauses(out: &mut impl Write, form: &RuleForm) -> std::io::Result<()> {
    for (keyword, text) in &form.clauses {
        writeln!(out, "      {keyword:<9} {text}")?;
    }
    Ok(())
}
