//! Proviso: a declarative policy language and engine for shipping and product protection plans.
//!
//! Policies are `.proviso` files; each is parsed ([`parse`]), checked for names and
//! types ([`check`]), compiled ([`compile`]) and evaluated against claim documents
//! ([`decide`]). Most callers need only [`PolicySet`] and [`Document`]:
//!
//! ```
//! use proviso::{Document, PolicySet};
//!
//! let set = PolicySet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"))?;
//! let claim = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shipping/lost-domestic.yaml"))?;
//! let decision = set.evaluate(&Document::yaml("lost-domestic.yaml", &claim))?;
//! assert_eq!(decision.decision.as_str(), "approved");
//! println!("{}", serde_json::to_string(&decision)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

#[allow(missing_docs)]
mod ast;
mod batch;
#[allow(missing_docs)]
mod check;
#[allow(missing_docs)]
mod compile;
#[allow(missing_docs)]
mod coverage;
#[allow(missing_docs)]
mod decide;
mod decision;
mod diagnostic;
#[allow(missing_docs)]
mod diff;
#[allow(missing_docs)]
mod document;
mod error;
#[allow(missing_docs)]
mod eval;
#[allow(missing_docs)]
mod exact;
#[allow(missing_docs)]
mod format;
#[allow(missing_docs)]
mod gate;
#[allow(missing_docs)]
mod hooks;
#[allow(missing_docs)]
mod ir;
#[allow(missing_docs)]
mod lint;
#[allow(missing_docs)]
mod parse;
mod policy_set;
#[allow(missing_docs)]
mod print;
#[allow(missing_docs)]
mod ratio;
#[allow(missing_docs)]
mod read;
#[allow(missing_docs)]
mod replay;
#[allow(missing_docs)]
mod schema;
mod span;
#[allow(missing_docs)]
mod stack;
#[allow(missing_docs)]
mod tally;
#[allow(missing_docs)]
mod testing;
mod trace;
#[allow(missing_docs)]
mod types;
#[allow(missing_docs)]
mod value;

pub use coverage::Coverage;
pub use decision::{Decision, Outcome};
pub use diagnostic::{PolicyError, PolicyErrors, PolicyWarning};
pub use document::Format;
pub use error::{DocumentError, DocumentErrorKind};
pub use policy_set::{Document, LoadError, PolicySet, Prepared};
pub use trace::Trace;

/// The engine's modules, for the `proviso` command, its tests, benches and fuzz targets:
/// not part of the API, and subject to change.
#[doc(hidden)]
pub mod internals {
    pub mod ast {
        pub use crate::ast::*;
    }
    pub mod batch {
        pub use crate::batch::*;
    }
    pub mod check {
        pub use crate::check::*;
    }
    pub mod compile {
        pub use crate::compile::*;
    }
    pub mod coverage {
        pub use crate::coverage::*;
    }
    pub mod decide {
        pub use crate::decide::*;
    }
    pub mod decision {
        pub use crate::decision::*;
    }
    pub mod diagnostic {
        pub use crate::diagnostic::*;
    }
    pub mod diff {
        pub use crate::diff::*;
    }
    pub mod document {
        pub use crate::document::*;
    }
    pub mod error {
        pub use crate::error::*;
    }
    pub mod eval {
        pub use crate::eval::*;
    }
    pub mod exact {
        pub use crate::exact::*;
    }
    pub mod format {
        pub use crate::format::*;
    }
    pub mod gate {
        pub use crate::gate::*;
    }
    pub mod hooks {
        pub use crate::hooks::*;
    }
    pub mod ir {
        pub use crate::ir::*;
    }
    pub mod lint {
        pub use crate::lint::*;
    }
    pub mod parse {
        pub use crate::parse::*;
    }
    pub mod policy_set {
        pub use crate::policy_set::*;
    }
    pub mod print {
        pub use crate::print::*;
    }
    pub mod ratio {
        pub use crate::ratio::*;
    }
    pub mod read {
        pub use crate::read::*;
    }
    pub mod replay {
        pub use crate::replay::*;
    }
    pub mod schema {
        pub use crate::schema::*;
    }
    pub mod span {
        pub use crate::span::*;
    }
    pub mod stack {
        pub use crate::stack::*;
    }
    pub mod tally {
        pub use crate::tally::*;
    }
    pub mod testing {
        pub use crate::testing::*;
    }
    pub mod trace {
        pub use crate::trace::*;
    }
    pub mod types {
        pub use crate::types::*;
    }
    pub mod value {
        pub use crate::value::*;
    }
}
