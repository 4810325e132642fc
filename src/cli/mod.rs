//! Command-line interface: argument parsing, exit codes, and diagnostic rendering.

pub(crate) mod check;
pub(crate) mod diff;
mod escape;
pub(crate) mod eval;
pub(crate) mod explain;
mod fmt;
pub(crate) mod input;
mod junit;
mod lsp;
mod output;
pub(crate) mod pick;
pub(crate) mod render;
mod replay;
mod report;
pub(crate) mod schema;
mod serve;
mod test;
pub(crate) mod versions;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Every document was evaluated (whatever the decisions), or every policy checked clean.
pub const EXIT_OK: i32 = 0;
/// The output could not be written, or another failure outside the inputs.
pub const EXIT_FAILURE: i32 = 1;
/// The command line is wrong.
pub const EXIT_USAGE: i32 = 2;
/// A policy file is missing, unreadable or invalid.
pub const EXIT_POLICY: i32 = 3;
/// A document is unreadable or invalid, or could not be evaluated (for `test`: a test file
/// is unreadable or invalid, a case got no decision, or no test file was found).
pub const EXIT_DOCUMENT: i32 = 4;
/// `test`: some case's decision is not what the case expects.
pub const EXIT_TEST_FAILED: i32 = 5;
/// `test --min-coverage`: some policy version's rule coverage is below the minimum.
pub const EXIT_COVERAGE: i32 = 6;

const EXIT_CODES: &str = "\
Exit status:
  0  every policy checked clean, every document was evaluated (whatever the decisions),
     a diff or replay was reported (whatever changed), every test case passed, or a
     schema was printed
  1  the output could not be written (standard output or standard error: full, closed;
     with `report`: a page or its folder)
  2  usage error: unknown command, option or value
  3  invalid policy: a policy file is missing, unreadable or has errors
     (with `fmt --check`: a policy file is not laid out; with `check --deny-warnings`:
     a policy has warnings; with `schema`: no policy or version of that name is loaded)
  4  invalid document: a document is unreadable, does not fit its policy, names no policy
     in force, or failed to evaluate (in a batch, the other documents are still evaluated);
     with `test`: a test file is unreadable or invalid, a case's document could not be
     decided, or no test file was found
  5  `test`: a case's decision is not what the case expects (and no error)
  6  `test --min-coverage`: every case passed, but some policy version has less rule
     coverage than the minimum";

#[derive(Parser)]
#[command(name = "proviso", version, about = "Decide claims and cancellations under versioned protection-plan policies", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files (or directory trees of them) and report every error and warning
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Policy files or directories (walked recursively; a symbolic link to a directory is followed, but each real directory is read once)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Exit 3 when there is any warning (warnings are printed either way; without this flag they do not change the exit status)
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Lay policy files out canonically (comments kept, meaning checked), or check that they are
    #[command(after_help = EXIT_CODES)]
    Fmt(fmt::Args),
    /// Evaluate claim and cancellation documents against the policy version in force
    #[command(after_help = EXIT_CODES)]
    Eval(eval::Args),
    /// List every policy version: name, label, dates in force, sha256 and file
    #[command(after_help = EXIT_CODES)]
    Versions(versions::Args),
    /// Show what changed in meaning between two policy versions (exits 0 either way)
    #[command(
        after_help = EXIT_CODES,
        override_usage = "proviso diff [OPTIONS] OLD NEW\n       proviso diff [OPTIONS] NAME OLD_VERSION NEW_VERSION"
    )]
    Diff(diff::Args),
    /// Decide a corpus of documents under two policy versions and report what changes
    #[command(
        after_help = EXIT_CODES,
        override_usage = "proviso replay [OPTIONS] OLD NEW CORPUS\n       proviso replay [OPTIONS] NAME OLD_VERSION NEW_VERSION CORPUS"
    )]
    Replay(replay::Args),
    /// Write the compliance report: an HTML page per policy, each rule's clause text beside the rule, for every version
    #[command(after_help = EXIT_CODES)]
    Report(report::Args),
    /// Run the test files beside the policies: each case's document decided and compared with what it expects
    #[command(after_help = EXIT_CODES)]
    Test(test::Args),
    /// Serve decisions over HTTP: POST documents to /v1/decisions (policies reloaded when they change)
    #[command(after_help = serve::AFTER_HELP)]
    Serve(serve::Args),
    /// Print the JSON Schema of a policy version's documents, or of `eval --format json` lines
    #[command(
        after_help = EXIT_CODES,
        override_usage = "proviso schema [--version LABEL] POLICIES NAME\n       proviso schema --decision"
    )]
    Schema(schema::Args),
    /// Run the language server for editors, over standard input and output: diagnostics, hover, go to definition, references, completion, formatting and an outline of `.proviso` files
    #[command(after_help = lsp::AFTER_HELP)]
    Lsp(lsp::Args),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Readable summary for people
    Text,
    /// JSON (for `eval`, one decision per line, as docs/contract.md specifies)
    Json,
}

/// Keeps a panic inside a hook off standard error: the library catches it and reports it as
/// the hook's failure, in the document's diagnostic. Any other panic is shown as usual.
fn quiet_hook_panics() {
    let show = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !proviso::running_hook() {
            show(info);
        }
    }));
}

/// Runs the command line and returns the exit status: 1 whenever some of the output (on
/// standard output or standard error) could not be written.
pub fn run() -> i32 {
    output::init();
    quiet_hook_panics();
    let code = dispatch();
    if output::stderr_failed() {
        EXIT_FAILURE
    } else {
        code
    }
}

fn dispatch() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to standard output, usage errors to standard error.
            let (code, closed) = if e.use_stderr() {
                (EXIT_USAGE, output::stderr_closed())
            } else {
                (EXIT_OK, output::stdout_closed())
            };
            return if e.print().is_err() || closed {
                EXIT_FAILURE
            } else {
                code
            };
        }
    };
    match cli.command {
        Command::Check {
            paths,
            deny_warnings,
        } => check::run(&paths, deny_warnings),
        Command::Eval(args) => eval::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Versions(args) => versions::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Lsp(args) => lsp::run(&args),
    }
}
