//! `proviso schema`: the JSON Schema of a policy version's documents, or of decisions.

use std::io::Write;
use std::path::{Path, PathBuf};

use proviso::internals::compile::Program;
use proviso::internals::json_schema;
use proviso::PolicySet;

use super::escape::Shown;
use super::{check::report_load_error, output, render, EXIT_OK, EXIT_POLICY};

#[derive(clap::Args)]
pub struct Args {
    /// A policy file, or a directory tree of them (walked recursively)
    #[arg(required_unless_present = "decision")]
    policies: Option<PathBuf>,
    /// The policy's name, as its documents give it in `policy`
    #[arg(required_unless_present = "decision")]
    name: Option<String>,
    /// The version label [default: the latest version]
    #[arg(long, value_name = "LABEL")]
    version: Option<String>,
    /// Print the schema of the lines of `proviso eval --format json` instead
    #[arg(long, conflicts_with_all = ["policies", "name", "version"])]
    decision: bool,
}

pub fn run(args: &Args) -> i32 {
    let text = match (&args.policies, &args.name) {
        (Some(policies), Some(name)) if !args.decision => {
            match document(policies, name, args.version.as_deref()) {
                Ok(text) => text,
                Err(code) => return code,
            }
        }
        _ => json_schema::DECISION.to_string(),
    };
    let mut out = output::stdout();
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| match text.ends_with('\n') {
            true => Ok(()),
            false => writeln!(out),
        });
    match written.and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => output::stdout_failed(&e),
    }
}

/// The document schema of `name` (at `version`, else its latest version), pretty-printed;
/// on failure the diagnostic is printed and the exit status returned.
fn document(policies: &Path, name: &str, version: Option<&str>) -> Result<String, i32> {
    let set = PolicySet::load(policies).map_err(|e| {
        report_load_error(&e);
        EXIT_POLICY
    })?;
    let dir = policies.display().to_string();
    let program = match pick(&set, name, version) {
        Ok(program) => program,
        Err(Missing::Name(names)) => {
            let loaded = match names.is_empty() {
                true => "none".to_string(),
                false => names.join(", "),
            };
            render::message(&format!(
                "error: no policy named `{}` under `{}` (loaded: {})\n  help: name a policy as \
                 its documents do in `policy`; `proviso versions {}` lists them\n",
                Shown(name),
                Shown(&dir),
                Shown(&loaded),
                Shown(&dir)
            ));
            return Err(EXIT_POLICY);
        }
        Err(Missing::Version(labels)) => {
            render::message(&format!(
                "error: `{}` has no version `{}` under `{}` (versions: {})\n  help: give one of \
                 its version labels, or leave out `--version` for the latest\n",
                Shown(name),
                Shown(version.unwrap_or_default()),
                Shown(&dir),
                Shown(&labels.join(", "))
            ));
            return Err(EXIT_POLICY);
        }
    };
    text(program).map_err(|e| {
        render::message(&format!(
            "error: cannot write the schema: {}\n",
            Shown(&e.to_string())
        ));
        super::EXIT_FAILURE
    })
}

/// Why no version was picked: the policy is not loaded (the names loaded), or has no
/// version of that label (its labels).
pub enum Missing<'s> {
    Name(Vec<&'s str>),
    Version(Vec<&'s str>),
}

/// The version of `name` labelled `version`, else its latest.
pub fn pick<'s>(
    set: &'s PolicySet,
    name: &str,
    version: Option<&str>,
) -> Result<&'s Program, Missing<'s>> {
    let versions: Vec<&Program> = set.versions().filter(|p| *p.meta.name == *name).collect();
    if versions.is_empty() {
        let mut names: Vec<&str> = set.versions().map(|p| &*p.meta.name).collect();
        names.dedup();
        return Err(Missing::Name(names));
    }
    let program = match version {
        None => versions.last().copied(),
        Some(label) => versions.iter().copied().find(|p| *p.meta.version == *label),
    };
    program.ok_or_else(|| Missing::Version(versions.iter().map(|p| &*p.meta.version).collect()))
}

/// The document schema of a version as `proviso schema` prints it: pretty-printed JSON
/// and a line break.
pub fn text(program: &Program) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&json_schema::document(program))?;
    text.push('\n');
    Ok(text)
}
