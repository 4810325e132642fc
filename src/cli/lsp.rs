//! `proviso lsp`: the language server for editors (see `src/lsp/`), on standard input and output.

use crate::lsp;

#[derive(clap::Args)]
pub struct Args {
    /// Speak over standard input and output (the default and only transport; accepted
    /// because some editor clients pass it)
    #[arg(long)]
    stdio: bool,
}

pub fn run(args: &Args) -> i32 {
    let _ = args.stdio;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    lsp::run(&mut stdin.lock(), &mut stdout.lock())
}

pub const AFTER_HELP: &str = "\
An editor starts `proviso lsp` and speaks the Language Server Protocol to it; see the
README, \"In your editor\", for the VS Code extension and other editors.

Exit status:
  0  the editor sent `shutdown`, then `exit`
  1  the input ended, or `exit` came without `shutdown`, or the output could not be written
  2  usage error: unknown command, option or value";
