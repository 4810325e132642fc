//! One policy version read on its own, compiled and as written: what [`diff`] and
//! [`replay`] compare, and what identifies a version in a listing ([`VersionInfo`]).

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::ast::PolicyFile;
use crate::compile::Program;
use crate::diagnostic::PolicyErrors;
use crate::diff::PolicyDiff;
use crate::policy_set::{compile_ast, read_policy, Document, LoadError, PolicySet};
use crate::replay::Replay;
use crate::span::Source;

/// One policy version, checked and compiled on its own (two versions of a policy may
/// overlap in time, as a draft does), with its syntax tree.
#[derive(Debug)]
pub struct PolicyVersion {
    program: Program,
    ast: PolicyFile,
}

/// What identifies a policy version: as `proviso versions` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionInfo {
    /// The policy's name (`xcotton/shipping-protection`).
    pub name: Arc<str>,
    /// The version label (`2025-01-01`).
    pub version: Arc<str>,
    /// The first day the version is in force.
    pub effective: NaiveDate,
    /// The last day it is in force, when it says (`until`); else until the next version.
    pub until: Option<NaiveDate>,
    /// Hex SHA-256 of the policy's source and its hooks, as decisions cite it.
    pub sha256: Arc<str>,
    /// The policy file, as named when it was read.
    pub file: Arc<str>,
}

impl VersionInfo {
    /// What identifies a compiled program.
    #[doc(hidden)]
    pub fn of(program: &Program) -> Self {
        let m = &program.meta;
        VersionInfo {
            name: m.name.clone(),
            version: m.version.clone(),
            effective: m.effective,
            until: m.until,
            sha256: m.sha256.clone(),
            file: m.file.name.clone(),
        }
    }
}

impl PolicyVersion {
    /// Reads, checks and compiles one policy file.
    pub fn read(path: impl AsRef<Path>) -> Result<PolicyVersion, LoadError> {
        Ok(PolicyVersion::from_source(read_policy(path.as_ref())?)?)
    }

    /// Parses, checks and compiles one policy source (its hooks are read from beside the
    /// file it names).
    pub fn from_source(src: Source) -> Result<PolicyVersion, PolicyErrors> {
        let ast = crate::parse::parse_file(&src)?;
        let program = compile_ast(&src, &ast)?;
        Ok(PolicyVersion { program, ast })
    }

    /// A version already parsed and compiled (from memory, with its hook files given).
    #[doc(hidden)]
    pub fn from_parts(ast: PolicyFile, program: Program) -> PolicyVersion {
        PolicyVersion { program, ast }
    }

    /// What identifies this version.
    pub fn info(&self) -> VersionInfo {
        VersionInfo::of(&self.program)
    }

    /// The compiled program.
    #[doc(hidden)]
    pub fn program(&self) -> &Program {
        &self.program
    }
}

impl PolicySet {
    /// Every policy version in the set, by policy name, then by effective date.
    pub fn listing(&self) -> impl Iterator<Item = VersionInfo> + '_ {
        self.versions().map(VersionInfo::of)
    }

    /// The version labelled `label` of the policy named `name`, read again from its source
    /// on its own, for [`diff`] and [`replay`]; `None` when the set has no such version.
    pub fn version(&self, name: &str, label: &str) -> Option<Result<PolicyVersion, PolicyErrors>> {
        let program = self
            .versions()
            .find(|p| *p.meta.name == *name && *p.meta.version == *label)?;
        Some(PolicyVersion::from_source(program.meta.file.clone()))
    }
}

/// What changed between two versions of a policy, by meaning rather than by text: the
/// header, facts, constants, values, evidence source, tables, hooks and their scripts,
/// and rule by rule (added, removed, changed, moved), as `proviso diff` reports it.
pub fn diff(old: &PolicyVersion, new: &PolicyVersion) -> PolicyDiff {
    let mut d = crate::diff::diff(&old.ast, &new.ast);
    d.hook_scripts = crate::diff::scripts(&old.program.hooks, &new.program.hooks);
    d
}

/// Decides every document under both versions and reports the documents whose decision
/// changed, the rules responsible, and the totals paid and refunded under each, as
/// `proviso replay` does. `strict` reads documents strictly, as [`PolicySet::strict`].
pub fn replay(
    old: &PolicyVersion,
    new: &PolicyVersion,
    documents: &[Document<'_>],
    strict: bool,
) -> Replay {
    crate::replay::replay(&old.program, &new.program, documents, strict)
}
