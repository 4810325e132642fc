//! Proviso: a declarative policy language and engine for shipping and product protection plans.
//!
//! Policies are `.proviso` files, loaded into a [`PolicySet`] (every version of every
//! policy under some paths, checked and compiled). A claim or cancellation is a
//! [`Document`] (YAML or JSON text); the set picks the version in force for it and decides
//! it into a [`Decision`]: its [`Outcome`], the [`Payout`] or [`Refund`] with its
//! breakdown, the [`Reason`]s (each rule with its clause and `file:line:col`), missing
//! evidence and deadlines. A decision serializes to the JSON of `proviso eval --format
//! json`, and reads back from it with `Deserialize`; amounts are [`Decimal`]s, never floats.
//!
//! ```
//! use proviso::{Decimal, Decision, Document, Outcome, PolicySet};
//!
//! let set = PolicySet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"))?;
//! let claim = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shipping/lost-domestic.yaml"))?;
//! let decision = set.evaluate(&Document::yaml("lost-domestic.yaml", &claim))?;
//! assert_eq!(decision.decision, Outcome::Approved);
//! assert_eq!(decision.decision.to_string(), "approved");
//! let payout = decision.payout.as_ref().map(|p| p.amount);
//! assert_eq!(payout, Some(Decimal::new(4400, 2)));
//!
//! // The JSON of `proviso eval --format json`, read back.
//! let line = serde_json::to_string(&decision)?;
//! let read: Decision = serde_json::from_str(&line)?;
//! assert_eq!(serde_json::to_string(&read)?, line);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The surface, by task:
//!
//! - Load: [`PolicySet::load`], [`PolicySet::load_all`], [`PolicySet::from_sources`] (from
//!   [`Source`]s in memory); [`PolicySet::strict`] reads documents strictly;
//!   [`PolicySet::warnings`]; [`PolicySet::listing`] lists every version ([`VersionInfo`]).
//! - Evaluate: [`PolicySet::evaluate`], [`PolicySet::evaluate_at`] (the terms in force on a
//!   given day); [`PolicySet::prepare`] decodes a document once and [`Prepared::decide`]
//!   decides it; [`PolicySet::decide_all`] decides a stream of [`OwnedDocument`]s on several
//!   threads, in input order.
//! - Explain: [`PolicySet::explain`], [`PolicySet::explain_at`] and
//!   [`Prepared::decide_traced`] return the decision with its [`Trace`] (every rule
//!   considered, its condition part by part, the values read); [`Explained`] is a decision
//!   with its trace as `eval --format json --explain` writes it.
//! - Diff and replay: a [`PolicyVersion`] is one version read on its own
//!   ([`PolicyVersion::read`], [`PolicySet::version`]); [`diff()`] compares two by meaning
//!   ([`PolicyDiff`]) and [`replay()`] decides documents under both ([`Replay`]).
//! - Errors: [`LoadError`] (unreadable paths, or [`PolicyErrors`]), [`DocumentError`]
//!   (with its [`DocumentErrorKind`]), [`PolicyWarning`]. Each implements
//!   [`std::error::Error`] and [`Diagnostic`]: wrap it in a [`Report`] to render it with its
//!   `file:line:col`, the offending text underlined, and help.
//! - Hooks: [`running_hook`] tells a program's own panic hook whether a panic comes from a
//!   policy's hook (where it is caught and reported as the hook's failure).
//!
//! The core never prints. Modules not named here are not part of the API: the `proviso`
//! command, the tests, benches and fuzz targets reach them through a hidden module that
//! may change at any time.

#![warn(missing_docs)]

#[allow(missing_docs)]
mod analysis;
#[allow(missing_docs)]
mod ast;
mod batch;
#[allow(missing_docs)]
mod calendar;
#[allow(missing_docs)]
mod check;
#[allow(missing_docs)]
mod compile;
mod cond;
#[allow(missing_docs)]
mod coverage;
#[allow(missing_docs)]
mod decide;
mod decision;
mod diagnostic;
mod diff;
#[allow(missing_docs)]
mod diff_text;
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
mod hidden;
#[allow(missing_docs)]
mod hooks;
#[allow(missing_docs)]
mod ir;
mod json_bytes;
#[allow(missing_docs)]
mod json_schema;
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
mod replay;
#[allow(missing_docs)]
mod report;
#[allow(missing_docs)]
mod schema;
mod span;
#[allow(missing_docs)]
mod stack;
#[allow(missing_docs)]
mod tally;
#[allow(missing_docs)]
mod testing;
mod text;
mod trace;
#[allow(missing_docs)]
mod types;
#[allow(missing_docs)]
mod value;
mod version;
#[allow(missing_docs)]
mod write;

pub use batch::OwnedDocument;
pub use decision::{
    format_money, Awaiting, Component, Deadlines, Decision, Failure, Input, Missing, NotMet,
    Outcome, Payout, PolicyId, Reason, Refund, Step,
};
pub use diagnostic::{PolicyError, PolicyErrors, PolicyWarning};
pub use diff::{Change, ChangeKind, OrderChange, PolicyDiff, RuleChange, RuleForm};
pub use document::Format;
pub use error::{DocumentError, DocumentErrorKind, Underline};
pub use hooks::running_hook;
pub use policy_set::{Document, LoadError, PolicySet, Prepared};
pub use replay::{Changed, Failed, Replay, ReplayTotals, RuleDelta, Side, Verdict};
pub use span::{Source, Span};
pub use trace::{
    AmountTrace, Considered, Explained, Part, Read, Stage, Trace, TracedPolicy, Truth,
};
pub use version::{diff, replay, PolicyVersion, VersionInfo};

/// Dates (`effective`, `in_force_on`, the day of [`PolicySet::evaluate_at`]).
pub use chrono::NaiveDate;
/// What errors and warnings implement, to be rendered by a [`Report`].
pub use miette::Diagnostic;
/// Renders a [`Diagnostic`] (`format!("{:?}", Report::new(error))`) with its source and help.
pub use miette::Report;
/// Exact decimal amounts: payouts, refunds, breakdown steps.
pub use rust_decimal::Decimal;

/// The engine's modules, for the `proviso` command, its tests, benches and fuzz targets:
/// not part of the API, and subject to change.
#[doc(hidden)]
pub mod internals {
    pub mod analysis {
        pub use crate::analysis::*;
    }
    pub mod ast {
        pub use crate::ast::*;
    }
    pub mod batch {
        pub use crate::batch::*;
    }
    pub mod calendar {
        pub use crate::calendar::*;
    }
    pub mod check {
        pub use crate::check::*;
    }
    pub mod compile {
        pub use crate::compile::*;
    }
    pub mod cond {
        pub use crate::cond::*;
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
    pub mod diff_text {
        pub use crate::diff_text::*;
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
    pub mod hidden {
        pub use crate::hidden::*;
    }
    pub mod hooks {
        pub use crate::hooks::*;
    }
    pub mod ir {
        pub use crate::ir::*;
    }
    pub mod json_schema {
        pub use crate::json_schema::*;
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
    pub mod report {
        pub use crate::report::*;
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
    pub mod version {
        pub use crate::version::*;
    }
    pub mod write {
        pub use crate::write::*;
    }
}
