//! `proviso diff`: what changed in meaning between two policy versions, for reviewers.

use std::io::Write;
use std::path::PathBuf;

use proviso::internals::diff_text;
use proviso::{diff, PolicyDiff, PolicyVersion};

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
    out.write_all(diff_text::text(d).as_bytes())
}
