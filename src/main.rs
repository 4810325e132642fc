//! The `proviso` command: parses arguments and dispatches to one subcommand.

mod cli;
mod lsp;
mod percent;
mod serve;

fn main() {
    std::process::exit(cli::run());
}
