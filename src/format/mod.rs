//! `proviso fmt`: a policy file laid out in one canonical way, every comment kept.
//!
//! The layout is printed from the syntax tree, with the comments (and the brackets and
//! empty lines the tree does not keep) found in the text ([`comments`]). The rules:
//!
//! - Lines hold at most [`WIDTH`] columns where they can (a long name or word may not).
//! - The header in a fixed order (`policy`, `version`, `effective`, `until`, `currency`,
//!   `doc`), then the items in written order, one empty line between any two.
//! - Two spaces of indentation: a rule's clauses, a table's doc and rows, the fields of
//!   `facts { ... }` and of records (one field a line, the types aligned in a column).
//! - One space around operators and after commas, none inside brackets, `enum { a, b }`
//!   and `any of { a, b }` with a space inside their braces.
//! - An expression too long for its line breaks before `and`, `or`, the operators and
//!   `otherwise`, packing as much on each line as fits; the lines after the first are
//!   indented two more (after `(`: two more than the bracket's column). `if ... then ...
//!   else ...` breaks before `then` and `else`, aligned with `if`; `sum(x in L: body)`
//!   breaks after the `:`; the arguments of a call and the members of a list, an enum or
//!   `facts(...)` fill the lines after the bracket.
//! - `doc` strings are joined and broken again at spaces into strings that fill the
//!   width, one a line, aligned with the first (the joined text is the same).
//! - Numbers, strings and brackets as written (strings with canonical escapes; `((x))`
//!   as `(x)`); durations as `1 day`, `30 days`.
//! - A comment stays before the token it preceded, at the end of its line or on a line
//!   of its own as it was written; comments between items keep the empty lines around
//!   them (at most one), and nothing else keeps an empty line.
//!
//! [`layout`] checks that the result parses to the same meaning, with the same comments,
//! and lays out to itself, before it is returned.

mod comments;
mod doc;
mod expr;
mod items;

use crate::ast::PolicyFile;
use crate::diagnostic::PolicyError;
use crate::diff::{diff, PolicyDiff};
use crate::parse::parse_file;
use crate::span::{Source, Span};

use comments::Trivia;

/// The widest a line is laid out, in columns.
pub const WIDTH: usize = 92;

/// The file laid out by the rules above, checked: the file's syntax errors if it does not
/// parse, or an error when its layout would not mean the same, keep every comment and lay
/// out to itself.
pub fn layout(file: &Source) -> Result<String, Vec<PolicyError>> {
    let ast = parse_file(file)?;
    let laid = print(&ast, &file.text);
    let refused = |why: &str| {
        vec![PolicyError::new(
            file,
            Span::new(0, 0),
            format!("the layout of this file {why}"),
            "this file",
        )
        .with_help("the file is left as it is; please report it, with this message")]
    };
    let again = Source::new(file.name.clone(), laid.as_str());
    let Ok(reparsed) = parse_file(&again) else {
        return Err(refused("would not parse"));
    };
    if diff(&ast, &reparsed) != PolicyDiff::default() {
        return Err(refused("would change its meaning"));
    }
    if comment_texts(&file.text) != comment_texts(&laid) {
        return Err(refused("would lose a comment or change its order"));
    }
    if print(&reparsed, &laid) != laid {
        return Err(refused("would change when laid out again"));
    }
    Ok(laid)
}

/// The layout of a parsed file, unchecked; `text` is the text it was parsed from.
pub fn print(file: &PolicyFile, text: &str) -> String {
    let mut layout = items::Layout::new(Trivia::new(text));
    doc::render(&layout.file(file), WIDTH)
}

fn comment_texts(text: &str) -> Vec<String> {
    Trivia::new(text)
        .take_rest()
        .into_iter()
        .map(|c| c.text)
        .collect()
}
