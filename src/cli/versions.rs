//! `proviso versions`: one row per policy version: name, label, dates in force, sha256, file.

use std::io::Write;
use std::path::PathBuf;

use proviso::{PolicySet, VersionInfo};

use super::escape::shown;
use super::{check::report_load_error, output, render, OutputFormat, EXIT_OK, EXIT_POLICY};

#[derive(clap::Args)]
pub struct Args {
    /// Policy files, or directory trees of them (walked recursively; a symbolic link to a directory is followed, but each real directory is read once)
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// Output format: a table, or one JSON object per version and line
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

pub fn run(args: &Args) -> i32 {
    let set = match PolicySet::load_all(&args.policies) {
        Ok(s) => s,
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    let rows: Vec<Row> = set.listing().map(|v| Row::of(&v)).collect();
    if rows.is_empty() {
        render::message("warning: no `.proviso` files found\n");
    }
    let mut out = output::stdout();
    let written = match args.format {
        OutputFormat::Text => table(&mut out, &rows),
        OutputFormat::Json => json_lines(&mut out, &rows),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => output::stdout_failed(&e),
    }
}

/// One JSON object per version and line, as `--format json` prints them.
pub fn json_lines(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    rows.iter().try_for_each(|r| {
        serde_json::to_writer(&mut *out, r).map_err(std::io::Error::other)?;
        writeln!(out)
    })
}

/// One policy version as listed (and as `diff` names its two versions).
#[derive(serde::Serialize)]
pub struct Row {
    name: String,
    version: String,
    effective: String,
    /// The last day in force; `None` while open-ended.
    until: Option<String>,
    sha256: String,
    file: String,
}

impl Row {
    pub fn of(m: &VersionInfo) -> Row {
        Row {
            name: m.name.to_string(),
            version: m.version.to_string(),
            effective: m.effective.to_string(),
            until: m.until.map(|u| u.to_string()),
            sha256: m.sha256.to_string(),
            file: m.file.to_string(),
        }
    }

    fn cells(&self) -> [&str; 6] {
        [
            &self.name,
            &self.version,
            &self.effective,
            self.until.as_deref().unwrap_or("open"),
            &self.sha256,
            &self.file,
        ]
    }
}

fn table(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    let head = ["name", "version", "effective", "until", "sha256", "file"].map(String::from);
    let rows: Vec<[String; 6]> = rows
        .iter()
        .map(|r| r.cells().map(|c| shown(c).into_owned()))
        .collect();
    let mut widths = head.clone().map(|h| h.len());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String; 6]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(c);
            } else {
                text.push_str(&format!("{c:<w$}  "));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &head)?;
    for r in &rows {
        line(out, r)?;
    }
    Ok(())
}
