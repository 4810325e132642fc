//! `proviso check`: load policies, report every error and warning, list what was checked.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};
use proviso::{LoadError, PolicySet, PolicyWarning};

use super::escape::Shown;
use super::{output, render, EXIT_OK, EXIT_POLICY};

pub fn run(paths: &[PathBuf], deny_warnings: bool) -> i32 {
    match PolicySet::load_all(paths) {
        Ok(set) => {
            let mut out = output::stdout();
            let mut n = 0;
            for p in set.versions() {
                n += 1;
                let m = &p.meta;
                let line = format!("ok  {} {}  {}", m.name, m.version, m.file.name);
                if let Err(e) = writeln!(out, "{}", Shown(&line)) {
                    return output::stdout_failed(&e);
                }
            }
            if let Err(e) = out.flush() {
                return output::stdout_failed(&e);
            }
            if n == 0 {
                render::message("warning: no `.proviso` files found\n");
            }
            let warnings = set.warnings();
            for w in &warnings {
                render::eprint(&Located(w));
            }
            let count = match warnings.len() {
                0 => return EXIT_OK,
                1 => "1 warning in policies".to_string(),
                n => format!("{n} warnings in policies"),
            };
            if deny_warnings {
                render::message(&format!("error: {count}, denied by --deny-warnings\n"));
                EXIT_POLICY
            } else {
                render::message(&format!("warning: {count}\n"));
                EXIT_OK
            }
        }
        Err(e) => {
            report_load_error(&e);
            EXIT_POLICY
        }
    }
}

/// A warning as `check` shows it: headed by where it is and the lint's code
/// (`policies/a.proviso:12:3 proviso::lint::zero-divisor`), as errors are headed by where
/// they are.
struct Located<'a>(&'a PolicyWarning);

impl fmt::Debug for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for Located<'_> {}

impl Diagnostic for Located<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{} {}",
            self.0.location(),
            self.0.lint.code()
        )))
    }

    fn severity(&self) -> Option<Severity> {
        self.0.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// Errors drawn for one policy file. A generated file can hold many thousands; the first
/// are the ones to fix, and drawing each takes time in proportion to the file.
pub const MAX_ERRORS_SHOWN: usize = 50;

/// Prints the errors of a failed load (at most [`MAX_ERRORS_SHOWN`] per file), then a count.
pub fn report_load_error(e: &LoadError) {
    render::message(&load_error_text(e, render::diagnostic));
}

/// The errors of a failed load, each drawn by `draw` (at most [`MAX_ERRORS_SHOWN`] per
/// file), then a line that counts them.
pub fn load_error_text(e: &LoadError, draw: impl Fn(&dyn miette::Diagnostic) -> String) -> String {
    match e {
        LoadError::Policy(errors) => {
            let mut text = String::new();
            let mut per_file: HashMap<&str, usize> = HashMap::new();
            let mut hidden = 0;
            for err in &errors.errors {
                let n = per_file.entry(err.file.name.as_ref()).or_default();
                *n += 1;
                if *n <= MAX_ERRORS_SHOWN {
                    text.push_str(&draw(err));
                } else {
                    hidden += 1;
                }
            }
            let more = match hidden {
                0 => String::new(),
                n => {
                    format!("; {n} more not shown (the first {MAX_ERRORS_SHOWN} of each file are)")
                }
            };
            text.push_str(&format!("error: {errors}{more}\n"));
            text
        }
        other => draw(other),
    }
}
