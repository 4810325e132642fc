//! Two policy versions named on the command line: two files, or a name and two labels.

use std::path::{Path, PathBuf};

use proviso::{LoadError, PolicyErrors, PolicySet, PolicyVersion};

use super::escape::Shown;
use super::{check::report_load_error, render, EXIT_POLICY, EXIT_USAGE};

/// Where `NAME OLD_VERSION NEW_VERSION` looks when `--policies` is not given.
pub const DEFAULT_POLICIES: &str = "policies";

/// Reads `OLD NEW` (two policy files) or `NAME OLD_VERSION NEW_VERSION` (two labels of
/// one policy under `policies`). On failure the diagnostics are printed and the exit
/// status returned.
pub fn two(
    args: &[String],
    policies: Option<&Path>,
) -> Result<(PolicyVersion, PolicyVersion), i32> {
    match args {
        [old, new] => {
            if policies.is_some() {
                render::message("error: `--policies` goes with NAME OLD_VERSION NEW_VERSION, not with two files\n");
                return Err(EXIT_USAGE);
            }
            files(Path::new(old), Path::new(new))
        }
        [name, old, new] => {
            let dir = policies.map_or_else(|| PathBuf::from(DEFAULT_POLICIES), Path::to_path_buf);
            labels(&dir, name, old, new)
        }
        _ => {
            render::message(
                "error: expected OLD NEW (two policy files) or NAME OLD_VERSION NEW_VERSION\n",
            );
            Err(EXIT_USAGE)
        }
    }
}

/// Two policy files, each checked on its own: they may overlap in time, as a draft does.
fn files(old: &Path, new: &Path) -> Result<(PolicyVersion, PolicyVersion), i32> {
    match (file(old), file(new)) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => {
            let mut errors = PolicyErrors::default();
            for e in [a.err(), b.err()].into_iter().flatten() {
                match e {
                    LoadError::Policy(mut p) => errors.errors.append(&mut p.errors),
                    other => report_load_error(&other),
                }
            }
            if !errors.errors.is_empty() {
                report_load_error(&LoadError::Policy(errors));
            }
            Err(EXIT_POLICY)
        }
    }
}

fn file(path: &Path) -> Result<PolicyVersion, LoadError> {
    PolicyVersion::read(path)
}

/// Two labels of one policy, from a policy tree that must check clean as a whole.
fn labels(
    dir: &Path,
    name: &str,
    old: &str,
    new: &str,
) -> Result<(PolicyVersion, PolicyVersion), i32> {
    let set = PolicySet::load(dir).map_err(|e| {
        report_load_error(&e);
        EXIT_POLICY
    })?;
    let find = |label: &str| -> Result<PolicyVersion, i32> {
        let version = set.version(name, label);
        let Some(version) = version else {
            let known: Vec<String> = set
                .listing()
                .filter(|v| *v.name == *name)
                .map(|v| v.version.to_string())
                .collect();
            let (name, label) = (Shown(name), Shown(label));
            let dir = dir.display().to_string();
            let dir = Shown(&dir);
            if known.is_empty() {
                render::message(&format!("error: no policy named `{name}` under `{dir}`\n"));
            } else {
                let known = Shown(&known.join(", ")).to_string();
                render::message(&format!(
                    "error: `{name}` has no version `{label}` under `{dir}` (versions: {known})\n"
                ));
            }
            return Err(EXIT_POLICY);
        };
        version.map_err(|e| {
            report_load_error(&LoadError::Policy(e));
            EXIT_POLICY
        })
    };
    Ok((find(old)?, find(new)?))
}
