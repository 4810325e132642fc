//! `proviso check`: load policies, report every error, list what was checked.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use proviso::{LoadError, PolicySet};

use super::escape::Shown;
use super::{output, render, EXIT_OK, EXIT_POLICY};

pub fn run(paths: &[PathBuf]) -> i32 {
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
                render::eprint(w);
            }
            match warnings.len() {
                0 => {}
                1 => render::message("warning: 1 warning in policies\n"),
                n => render::message(&format!("warning: {n} warnings in policies\n")),
            }
            EXIT_OK
        }
        Err(e) => {
            report_load_error(&e);
            EXIT_POLICY
        }
    }
}

/// Errors drawn for one policy file. A generated file can hold many thousands; the first
/// are the ones to fix, and drawing each takes time in proportion to the file.
pub const MAX_ERRORS_SHOWN: usize = 50;

/// Prints the errors of a failed load (at most [`MAX_ERRORS_SHOWN`] per file), then a count.
pub fn report_load_error(e: &LoadError) {
    match e {
        LoadError::Policy(errors) => {
            let mut per_file: HashMap<&str, usize> = HashMap::new();
            let mut hidden = 0;
            for err in &errors.errors {
                let n = per_file.entry(err.file.name.as_ref()).or_default();
                *n += 1;
                if *n <= MAX_ERRORS_SHOWN {
                    render::eprint(err);
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
            render::message(&format!("error: {errors}{more}\n"));
        }
        other => render::eprint(other),
    }
}
