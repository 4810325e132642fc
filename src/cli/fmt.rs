//! `proviso fmt`: lay policy files out (`proviso::internals::format`), or check that they are.

use std::io::Write;
use std::path::PathBuf;

use proviso::internals::format::layout;
use proviso::internals::span::Source;

use super::check::report_load_error;
use super::escape::Shown;
use super::{output, render, EXIT_FAILURE, EXIT_OK, EXIT_POLICY};

#[derive(clap::Args)]
pub struct Args {
    /// Policy files or directories (walked recursively; a symbolic link to a directory is followed, but each real directory is read once)
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; list the files that are not laid out (and show the errors of those that do not parse), and exit 3 if there are any
    #[arg(long)]
    check: bool,
}

pub fn run(args: &Args) -> i32 {
    let files = match proviso::internals::policy_set::policy_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    let mut status = EXIT_OK;
    let mut out = output::stdout();
    for path in files {
        let name = path.display().to_string();
        let text = match proviso::internals::policy_set::read_policy(&path) {
            Ok(src) => src.text,
            Err(e) => {
                report_load_error(&e);
                status = EXIT_POLICY;
                continue;
            }
        };
        let laid = match layout(&Source::new(name.as_str(), text.clone())) {
            Ok(laid) => laid,
            Err(errors) => {
                for e in &errors {
                    render::eprint(e);
                }
                status = EXIT_POLICY;
                continue;
            }
        };
        if *laid == *text {
            continue;
        }
        if args.check {
            render::message(&format!("not laid out: {}\n", Shown(&name)));
            status = EXIT_POLICY;
        } else if let Err(e) = std::fs::write(&path, laid) {
            render::message(&format!("error: cannot write `{}`: {e}\n", Shown(&name)));
            return EXIT_FAILURE;
        } else if let Err(e) =
            writeln!(out, "laid out: {}", Shown(&name)).and_then(|()| out.flush())
        {
            return output::stdout_failed(&e);
        }
    }
    if let Err(e) = out.flush() {
        return output::stdout_failed(&e);
    }
    status
}
