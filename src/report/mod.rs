//! The compliance report: a static HTML site with a page per policy, covering every
//! version (each rule's clause text beside the rule as written, its place and its test
//! coverage; the assumptions; dates in force, SHA-256 and the changes between versions).
//!
//! `model` gathers what the pages show from a policy set and its tests, `html` writes the
//! pages, `escape` makes policy text safe in them, and `assumptions` finds the "Assumed:"
//! passages of clause texts. The pages are returned, never written or printed here.

pub mod assumptions;
pub mod escape;
pub mod html;
pub mod model;

use std::path::PathBuf;

use crate::policy_set::LoadError;

/// One page of the report: its file name in the report's folder, and its HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub file: String,
    pub html: String,
}

/// The report of the policies under `paths` and their tests: `index.html`, then a page
/// per policy. Fails as `proviso check` does when a policy cannot be loaded.
pub fn build(paths: &[PathBuf]) -> Result<Vec<Page>, LoadError> {
    Ok(html::pages(&model::gather(paths)?))
}
