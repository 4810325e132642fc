//! What an editor asks of one policy file: its diagnostics, the names in it, hovers,
//! completions and an outline (for `proviso lsp`).
//!
//! An [`Analysis`] is made from a file's text each time it changes. It holds the file's
//! diagnostics exactly as `proviso check FILE` reports them (the errors of a policy that
//! does not load, or the lints of one that does: hook files are read next to the file's
//! name, as `check` reads them), the syntax tree when the text parses, and an [`Index`] of
//! every name defined or read in it, resolved as the checker resolves names (through the
//! lints' resolver). The requests of an editor are then answered from these: [`hover`],
//! [`Index::definition`] and [`Index::references`], [`complete`], [`outline`]. The
//! positions are byte spans of the text; the language server maps them to an editor's
//! lines and columns.

mod complete;
mod hover;
mod index;
mod outline;
mod written;

use std::collections::HashMap;

use crate::ast::PolicyFile;
use crate::diagnostic::{PolicyError, PolicyWarning};
use crate::policy_set::PolicySet;
use crate::span::Source;

pub use complete::{complete, Completion, CompletionKind};
pub use hover::hover;
pub use index::{Index, Occurrence, Symbol};
pub use outline::{outline, Entry, EntryKind};

/// One policy file, analysed.
#[derive(Debug)]
pub struct Analysis {
    /// The file: its name (a path, from which hook files are found) and text.
    pub source: Source,
    /// The syntax tree, when the text parses.
    pub ast: Option<PolicyFile>,
    /// The errors `proviso check` reports for this file (none when it loads).
    pub errors: Vec<PolicyError>,
    /// The warnings `proviso check` reports for this file (when it loads).
    pub warnings: Vec<PolicyWarning>,
    /// Every name defined or read, when the text parses.
    pub index: Index,
    /// The type of each constant and `let` value, by name, as messages name types (when
    /// the policy loads).
    pub types: HashMap<String, String>,
}

impl Analysis {
    /// Parses, checks and lints `source`, and indexes its names.
    pub fn new(source: Source) -> Analysis {
        let (errors, warnings) = match PolicySet::from_sources(vec![source.clone()]) {
            Ok(set) => (Vec::new(), set.warnings()),
            Err(e) => (e.errors, Vec::new()),
        };
        let ast = crate::parse::parse_file(&source).ok();
        let (index, types) = match &ast {
            Some(ast) => {
                let built = crate::stack::deep(|| {
                    let index = Index::new(&source, ast);
                    let types = if errors.is_empty() {
                        types(&source, ast)
                    } else {
                        HashMap::new()
                    };
                    (index, types)
                });
                built.unwrap_or_default()
            }
            None => Default::default(),
        };
        Analysis {
            source,
            ast,
            errors,
            warnings,
            index,
            types,
        }
    }
}

/// The types of the constants and `let` values of a policy that checks.
fn types(source: &Source, ast: &PolicyFile) -> HashMap<String, String> {
    let Ok(checked) = crate::check::check(source, ast) else {
        return HashMap::new();
    };
    let schema = &checked.schema;
    checked
        .consts
        .iter()
        .chain(&checked.lets)
        .map(|n| {
            let shown = crate::types::Shown(&n.ty, schema).to_string();
            (n.name.clone(), shown)
        })
        .collect()
}
