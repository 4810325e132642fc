//! What the fuzz targets share: the repository's files, the command's diagnostic renderer,
//! and the checks every outcome must pass.
//!
//! A target fails (and libFuzzer saves the input) when anything panics, when an input runs
//! longer than the per-input timeout, or when one of the checks here finds an internal error.

use std::path::PathBuf;

use miette::Diagnostic;
use proviso::{Decision, DocumentError, Format, PolicySet};

/// The diagnostic renderer of the `proviso` command, compiled in as it is, so that every
/// diagnostic is drawn exactly as a user would see it.
#[allow(dead_code)]
#[path = "../../src/cli/render.rs"]
mod render;
/// What the renderer uses of the command: control characters escaped, and messages
/// written to standard error.
#[allow(dead_code)]
#[path = "../../src/cli/escape.rs"]
mod escape;
#[allow(dead_code)]
#[path = "../../src/cli/output.rs"]
mod output;
/// The command's exit status when its output cannot be written (`src/cli/mod.rs`).
#[allow(dead_code)]
const EXIT_FAILURE: i32 = 1;

/// A path under the repository root.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(path)
}

/// The text of a file under the repository root; the targets cannot start without it.
pub fn read(path: &str) -> String {
    match std::fs::read_to_string(repo(path)) {
        Ok(text) => text,
        Err(e) => fail(&format!("cannot read `{path}`: {e}")),
    }
}

/// The bundled policies, loaded once.
pub fn bundled() -> &'static PolicySet {
    static SET: std::sync::OnceLock<PolicySet> = std::sync::OnceLock::new();
    SET.get_or_init(|| match PolicySet::load(repo("policies")) {
        Ok(set) => set,
        Err(e) => fail(&format!("the bundled policies do not load: {e}")),
    })
}

/// Stops the run: the harness itself is broken, not the code under test.
pub fn fail(message: &str) -> ! {
    eprintln!("fuzz harness: {message}");
    std::process::abort()
}

/// Fuzz input as text. The command reads documents and policies as UTF-8 and refuses any
/// other bytes before the library sees them, so other bytes are replaced, not skipped.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Renders a diagnostic as the command does and checks it is not an internal error.
pub fn diagnostic(d: &dyn Diagnostic) {
    let shown = render::diagnostic(d);
    no_internal_error(&shown);
    no_internal_error(&d.to_string());
}

/// An internal error is a bug, whatever the input.
pub fn no_internal_error(message: &str) {
    assert!(
        !message.contains("internal error"),
        "an internal error reached the user: {message}"
    );
}

/// What the command does with one decision or error: JSON for a decision, a rendered
/// diagnostic for an error.
pub fn outcome(result: &Result<Decision, DocumentError>) -> Option<serde_json::Value> {
    match result {
        Ok(decision) => match serde_json::to_value(decision) {
            Ok(json) => Some(json),
            Err(e) => panic!("a decision does not serialise: {e}"),
        },
        Err(e) => {
            no_internal_error(&e.message);
            diagnostic(e);
            None
        }
    }
}

/// The documents of one JSON Lines text, as the command splits them: one per non-blank
/// line, numbered from 1.
pub fn json_lines<'t>(name: &str, text: &'t str) -> Vec<proviso::Document<'t>> {
    let name: std::sync::Arc<str> = name.into();
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| proviso::Document {
            name: name.clone(),
            text: line,
            format: Format::Json,
            line: i + 1,
        })
        .collect()
}
