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

pub mod ast;
pub mod batch;
pub mod check;
pub mod compile;
pub mod coverage;
pub mod decide;
pub mod decision;
pub mod diagnostic;
pub mod diff;
pub mod document;
pub mod error;
pub mod eval;
pub mod exact;
pub mod format;
pub mod gate;
pub mod hooks;
pub mod ir;
pub mod json_schema;
pub mod lint;
pub mod parse;
pub mod policy_set;
pub mod print;
pub mod ratio;
pub mod read;
pub mod replay;
pub mod schema;
pub mod span;
pub mod stack;
pub mod tally;
pub mod testing;
pub mod trace;
pub mod types;
pub mod value;

pub use coverage::Coverage;
pub use decision::{Decision, Outcome};
pub use diagnostic::{PolicyError, PolicyErrors, PolicyWarning};
pub use document::Format;
pub use error::{DocumentError, DocumentErrorKind};
pub use policy_set::{Document, LoadError, PolicySet, Prepared};
pub use trace::Trace;
