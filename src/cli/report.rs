//! `proviso report`: the compliance report of a policy tree, written as static HTML pages.

use std::io::Write;
use std::path::{Path, PathBuf};

use proviso::internals::report::{self, Page};

use super::escape::Shown;
use super::{check::report_load_error, output, render, EXIT_FAILURE, EXIT_OK, EXIT_POLICY};

/// Where the pages go when `--out` is not given.
pub const DEFAULT_OUT: &str = "target/report";

#[derive(clap::Args)]
pub struct Args {
    /// Policy files, or directory trees of them (walked recursively, as `check` walks them); the test files beside them give the rule coverage, as `test --coverage` computes it
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// The folder the pages are written to (created when missing): `index.html` and a page per policy, overwritten when there; other files are left alone
    #[arg(long, value_name = "DIR", default_value = DEFAULT_OUT)]
    out: PathBuf,
}

/// Writes the report, and names each page written. A policy with errors writes nothing:
/// its diagnostics are printed as `check` prints them (exit 3).
pub fn run(args: &Args) -> i32 {
    let pages = match report::build(&args.policies) {
        Ok(pages) => pages,
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    if pages.len() == 1 {
        render::message("warning: no `.proviso` files found\n");
    }
    if let Err(message) = std::fs::create_dir_all(&args.out) {
        return cannot_write(&args.out, &message);
    }
    let mut out = output::stdout();
    for Page { file, html } in &pages {
        let path = args.out.join(file);
        if let Err(message) = std::fs::write(&path, html) {
            return cannot_write(&path, &message);
        }
        let line = format!("wrote {}", path.display());
        if let Err(e) = writeln!(out, "{}", Shown(&line)) {
            return output::stdout_failed(&e);
        }
    }
    match out.flush() {
        Ok(()) => EXIT_OK,
        Err(e) => output::stdout_failed(&e),
    }
}

fn cannot_write(path: &Path, e: &std::io::Error) -> i32 {
    render::message(&format!(
        "error: cannot write `{}`: {e}\n  help: give `--out` a folder that can be written to\n",
        Shown(&path.display().to_string())
    ));
    EXIT_FAILURE
}
