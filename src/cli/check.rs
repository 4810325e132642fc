//! `proviso check`: load policies, report every error, list what was checked.

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

/// Prints every error of a failed load, then a count.
pub fn report_load_error(e: &LoadError) {
    match e {
        LoadError::Policy(errors) => {
            for err in &errors.errors {
                render::eprint(err);
            }
            render::message(&format!("error: {errors}\n"));
        }
        other => render::eprint(other),
    }
}
