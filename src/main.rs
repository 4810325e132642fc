//! The `proviso` command: parses arguments and dispatches to one subcommand.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
