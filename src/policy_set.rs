//! A set of policy versions loaded from files: loading, overlap checks, and version selection.
//!
//! The version that judges a document is the one in force on the first of these dates it
//! has ([`version_date`]): the date forced by the caller (`--at`), `protection.purchased_at`
//! (the terms the customer bought), `order.placed_at`, then the date of the event itself,
//! `claim.filed_at` (its UTC date) or `cancellation.requested_at`. The decision names the
//! date and where it came from (`policy.in_force_on`, `policy.date_from`).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use miette::Diagnostic;

use crate::ast::PolicyFile;
use crate::compile::{compile, Program};
use crate::decide::{decide, decide_traced};
use crate::decision::{Decision, Input};
use crate::diagnostic::{PolicyError, PolicyErrors};
use crate::document::{parse_date, Envelope, Format, Scanned};
use crate::error::DocumentError;
use crate::hooks::Hooks;
use crate::parse::{too_large, MAX_POLICY_BYTES};
use crate::read::{read_text, Unreadable};
use crate::span::Source;
use crate::trace::Trace;
use crate::value::Value;

/// The file extension of policy files.
pub const POLICY_EXTENSION: &str = "proviso";

/// Every policy version found under some paths, checked and compiled.
#[derive(Debug, Default)]
pub struct PolicySet {
    programs: Vec<Program>,
    /// Policy name to program indices, ordered by effective date.
    by_name: BTreeMap<Arc<str>, Vec<usize>>,
    /// Whether documents are read strictly (see [`PolicySet::strict`]).
    strict: bool,
    /// By program index: whether a document decodes to the same facts for this version as
    /// for the latest version of its policy (see [`PolicySet::prepare`]).
    laid_out_as_latest: Vec<bool>,
}

/// `policy.date_from` when the caller chose the date (`proviso eval --at`, or the `at`
/// argument of [`PolicySet::prepare`] and [`PolicySet::evaluate_at`]).
pub const DATE_FROM_AT: &str = "--at";

/// The document dates that pick a policy version, in order of precedence (after a date the
/// caller forces); the last two are the dates of the event itself.
pub const VERSION_DATES: [&str; 4] = [
    "protection.purchased_at",
    "order.placed_at",
    "claim.filed_at",
    "cancellation.requested_at",
];

/// Why a set of policies could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum LoadError {
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(help("check the path; POLICIES is a policy file or a directory of them"))]
    /// A file or directory could not be read.
    Io {
        /// The path, as given.
        path: String,
        /// Why it could not be read.
        message: String,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    /// Some policy file has errors.
    Policy(#[from] PolicyErrors),
}

/// One document to evaluate: its text, its format, and where it was read from.
#[derive(Clone, Debug)]
pub struct Document<'t> {
    /// The file the document is read from, as named (`-` for standard input).
    pub name: Arc<str>,
    /// The document's text.
    pub text: &'t str,
    /// How the text is written.
    pub format: Format,
    /// The line of the input on which the document starts: for one line of JSON Lines,
    /// or a document on standard input; 0 when the document is a whole file.
    pub line: usize,
}

impl<'t> Document<'t> {
    /// A whole YAML file named `name`.
    pub fn yaml(name: impl Into<Arc<str>>, text: &'t str) -> Self {
        Document {
            name: name.into(),
            text,
            format: Format::Yaml,
            line: 0,
        }
    }

    /// A whole JSON file named `name`.
    pub fn json(name: impl Into<Arc<str>>, text: &'t str) -> Self {
        Document {
            name: name.into(),
            text,
            format: Format::Json,
            line: 0,
        }
    }

    /// The name shown in messages: the file, and the line for one line of JSON Lines.
    pub fn label(&self) -> Arc<str> {
        match self.line {
            0 => self.name.clone(),
            n => format!("{}:{n}", self.name).into(),
        }
    }

    /// Where the document was read from, as decisions name it.
    pub fn input(&self) -> Input {
        Input {
            path: self.name.clone(),
            line: Some(self.line).filter(|&n| n > 0),
        }
    }

    /// The document's text as a source for diagnostics.
    pub(crate) fn source(&self) -> Source {
        Source::new(self.name.clone(), self.text)
    }
}

/// A document decoded against the policy version that applies to it.
#[derive(Debug)]
pub struct Prepared<'p> {
    #[doc(hidden)]
    pub program: &'p Program,
    #[doc(hidden)]
    pub id: String,
    #[doc(hidden)]
    pub facts: Value,
    /// The date that picked the version, and where it came from (a path of
    /// [`VERSION_DATES`], or [`DATE_FROM_AT`]); `None` when the version was given
    /// ([`prepare_with`]).
    #[doc(hidden)]
    pub picked_by: Option<(NaiveDate, &'static str)>,
    input: Input,
}

impl Prepared<'_> {
    /// The name shown in messages, as [`Document::label`] gives it; made only when a
    /// message needs it.
    fn label(&self) -> Arc<str> {
        match self.input.line {
            None => self.input.path.clone(),
            Some(n) => format!("{}:{n}", self.input.path).into(),
        }
    }

    /// Applies the policy's rules to the decoded facts; the decision names the input.
    pub fn decide(&self) -> Result<Decision, DocumentError> {
        let mut d = decide(self.program, &self.facts, self.id.clone())
            .map_err(|f| DocumentError::evaluation(&self.label(), &self.id, self.program, f))?;
        if let Some((date, from)) = self.picked_by {
            d.policy.in_force_on = Some(date);
            d.policy.date_from = Some(from.into());
        }
        d.input = Some(self.input.clone());
        Ok(d)
    }

    /// Decides as [`Prepared::decide`] does, and says how: every rule considered, in
    /// order, with the values it read (see [`crate::Trace`]).
    pub fn decide_traced(&self) -> Result<(Decision, Trace), DocumentError> {
        let (mut d, trace) = decide_traced(self.program, &self.facts, self.id.clone())
            .map_err(|f| DocumentError::evaluation(&self.label(), &self.id, self.program, f))?;
        if let Some((date, from)) = self.picked_by {
            d.policy.in_force_on = Some(date);
            d.policy.date_from = Some(from.into());
        }
        d.input = Some(self.input.clone());
        Ok((d, trace))
    }
}

/// The date that picks the policy version for a document, and where it came from.
///
/// In order of precedence: `at` when given (reported as [`DATE_FROM_AT`]), then the first
/// of [`VERSION_DATES`] the document has: `protection.purchased_at` (the terms the customer
/// bought), `order.placed_at`, and the date of the event itself, `claim.filed_at` and
/// `cancellation.requested_at`. Each may be a date or an instant (whose UTC date counts). The
/// first one present is used: if it is not a date, that is an error, not a reason to look
/// further. With none of them, the error says which fields were looked for.
pub fn version_date(
    env: &Envelope,
    at: Option<NaiveDate>,
) -> Result<(NaiveDate, &'static str), VersionDateError> {
    if let Some(d) = at {
        return Ok((d, DATE_FROM_AT));
    }
    let Some((text, path)) = first_given([
        env.purchased_at.as_deref(),
        env.placed_at.as_deref(),
        env.filed_at.as_deref(),
        env.requested_at.as_deref(),
    ]) else {
        return Err(VersionDateError::NoDate);
    };
    let date = parse_date(text).or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|d| d.with_timezone(&Utc).date_naive())
    });
    date.map(|d| (d, path))
        .ok_or_else(|| VersionDateError::NotADate {
            path,
            text: text.to_string(),
        })
}

/// The first of [`VERSION_DATES`] a document gives, in their order, with its path.
fn first_given<T>(given: [Option<T>; 4]) -> Option<(T, &'static str)> {
    given
        .into_iter()
        .zip(VERSION_DATES)
        .find_map(|(t, path)| Some((t?, path)))
}

/// Why a document's dates pick no version.
#[doc(hidden)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionDateError {
    /// The document has none of [`VERSION_DATES`].
    NoDate,
    /// The first of them it has, at `path`, is neither a date nor an instant.
    NotADate { path: &'static str, text: String },
}

impl VersionDateError {
    /// The message, in a document author's words.
    pub fn message(&self) -> String {
        match self {
            VersionDateError::NoDate => {
                let [a, b, c, d] = VERSION_DATES;
                format!(
                    "cannot tell which policy version applies: the document has no `{a}`, \
                     `{b}`, `{c}` or `{d}`"
                )
            }
            VersionDateError::NotADate { path, text } => {
                let what = match *path {
                    "claim.filed_at" => "an instant (RFC 3339, like 2025-07-10T09:30:00Z)",
                    // A policy may declare either; an instant picks by its UTC date.
                    "protection.purchased_at" | "order.placed_at" => {
                        "a date (YYYY-MM-DD) or an instant (RFC 3339, like 2025-07-10T09:30:00Z)"
                    }
                    _ => "a date (YYYY-MM-DD)",
                };
                let shown: String = text.chars().take(40).collect();
                let more = if text.chars().count() > 40 { "..." } else { "" };
                format!("expected {what}, found \"{}{more}\"", shown.escape_debug())
            }
        }
    }
}

impl PolicySet {
    /// Loads every `.proviso` file at `path` (a file, or a directory searched recursively).
    pub fn load(path: impl AsRef<Path>) -> Result<PolicySet, LoadError> {
        Self::load_all(&[path.as_ref().to_path_buf()])
    }

    /// Loads every policy file under all the paths; reports every error in every file.
    pub fn load_all(paths: &[PathBuf]) -> Result<PolicySet, LoadError> {
        let mut sources = Vec::new();
        let mut unreadable = Vec::new();
        for f in policy_files(paths)? {
            match read_policy(&f) {
                Ok(src) => sources.push(src),
                Err(LoadError::Policy(mut e)) => unreadable.append(&mut e.errors),
                Err(io) => return Err(io),
            }
        }
        match Self::from_sources(sources) {
            Ok(set) if unreadable.is_empty() => Ok(set),
            Ok(_) => Err(PolicyErrors::from(unreadable).into()),
            Err(mut e) => {
                unreadable.append(&mut e.errors);
                Err(PolicyErrors::from(unreadable).into())
            }
        }
    }

    /// Checks and compiles policy sources already in memory (their hook files are read
    /// from disk, next to each source's name).
    pub fn from_sources(sources: Vec<Source>) -> Result<PolicySet, PolicyErrors> {
        let compiled = crate::stack::deep_each(&sources, compile_on_deep_stack).map_err(|m| {
            let at = |s: &Source| PolicyError::new(s, crate::span::Span::default(), m.clone(), "");
            PolicyErrors::from(sources.iter().map(at).collect::<Vec<_>>())
        })?;
        Self::from_compiled(compiled)
    }

    /// A set of programs already compiled (by [`compile_given`], say): their versions
    /// must not overlap in time.
    pub fn from_programs(programs: Vec<Program>) -> Result<PolicySet, PolicyErrors> {
        Self::from_compiled(programs.into_iter().map(Ok).collect())
    }

    fn from_compiled(
        compiled: Vec<Result<Program, Vec<PolicyError>>>,
    ) -> Result<PolicySet, PolicyErrors> {
        let mut errors = Vec::new();
        let mut set = PolicySet::default();
        for result in compiled {
            match result {
                Ok(p) => set.programs.push(p),
                Err(mut e) => errors.append(&mut e),
            }
        }
        for (i, p) in set.programs.iter().enumerate() {
            set.by_name.entry(p.meta.name.clone()).or_default().push(i);
        }
        let programs = &set.programs;
        set.laid_out_as_latest = vec![false; programs.len()];
        for versions in set.by_name.values_mut() {
            versions.sort_by_key(|&i| programs.get(i).map(|p| p.meta.effective));
            errors.extend(overlaps(programs, versions));
            let latest = versions.last().and_then(|&i| programs.get(i));
            for &i in versions.iter() {
                let same = programs
                    .get(i)
                    .zip(latest)
                    .is_some_and(|(p, l)| p.schema.same_layout(&l.schema));
                if let Some(flag) = set.laid_out_as_latest.get_mut(i) {
                    *flag = same;
                }
            }
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors.into())
        }
    }

    /// Reads documents strictly (`true`): every field a document gives must be declared by the
    /// policy's `facts`, but the few the engine reads itself
    /// ([`crate::document::ENGINE_KEYS`]). Otherwise (the default) undeclared fields are
    /// skipped, unless one reads as a misspelling of a declared field the document leaves out.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Whether documents are read strictly (see [`PolicySet::strict`]).
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// The names of the loaded policies, for messages.
    fn names(&self) -> String {
        let known: Vec<&str> = self.by_name.keys().map(|k| k.as_ref()).collect();
        if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        }
    }

    /// Warnings on every version (the lints of `proviso check`), in the order of [`PolicySet::listing`]
    /// and of each policy's text: the set loads and decides, but these places deserve a look.
    pub fn warnings(&self) -> Vec<crate::diagnostic::PolicyWarning> {
        self.versions().flat_map(crate::lint::warnings).collect()
    }

    /// Every loaded version, by name then effective date.
    #[doc(hidden)]
    pub fn versions(&self) -> impl Iterator<Item = &Program> {
        self.by_name
            .values()
            .flatten()
            .filter_map(|&i| self.programs.get(i))
    }

    /// The version of `name` in force on `date`.
    #[doc(hidden)]
    pub fn select(&self, name: &str, date: NaiveDate) -> Result<&Program, String> {
        let Some(versions) = self.by_name.get(name) else {
            let known: Vec<&str> = self.by_name.keys().map(|k| k.as_ref()).collect();
            return Err(match crate::check::suggest(name, &known) {
                Some(s) => format!("no policy named `{name}` is loaded; did you mean `{s}`?"),
                None => format!(
                    "no policy named `{name}` is loaded (loaded: {})",
                    self.names()
                ),
            });
        };
        let in_force = self
            .in_force(versions, date)
            .and_then(|i| self.programs.get(i));
        in_force.ok_or_else(|| {
            let ranges: Vec<String> = versions
                .iter()
                .filter_map(|&i| self.programs.get(i))
                .map(|p| {
                    format!(
                        "{} from {}{}",
                        p.meta.version,
                        p.meta.effective,
                        p.meta
                            .until
                            .map(|u| format!(" until {u}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "no version of `{name}` is in force on {date} (versions: {})",
                ranges.join("; ")
            )
        })
    }

    /// The index of the version among `versions` (indices of one policy's programs) in
    /// force on `date`.
    fn in_force(&self, versions: &[usize], date: NaiveDate) -> Option<usize> {
        versions.iter().copied().find(|&i| {
            self.programs
                .get(i)
                .is_some_and(|p| p.meta.effective <= date && p.meta.until.is_none_or(|u| date <= u))
        })
    }

    /// Picks the policy version for a document and decodes the document against it.
    ///
    /// The version is the one in force on `at` if given, else on the first date the
    /// document has of `protection.purchased_at` (the terms the customer bought),
    /// `order.placed_at`, `claim.filed_at` and `cancellation.requested_at`: see
    /// [`version_date`].
    pub fn prepare(
        &self,
        doc: &Document<'_>,
        at: Option<NaiveDate>,
    ) -> Result<Prepared<'_>, DocumentError> {
        let invalid = |e| DocumentError::invalid(doc, None, e);
        let scanned = Scanned::new(doc.text, doc.format).map_err(invalid)?;
        match self.prepare_once(doc, scanned, at) {
            Some(prepared) => Ok(prepared),
            None => self.prepare_scanned(doc, scanned, at),
        }
    }

    /// Prepares a document as [`PolicySet::prepare`] does, reading its envelope first and
    /// then decoding its facts: two passes over the text. [`PolicySet::prepare`] reads it
    /// once where it can, with the same result; this form is kept to show that they agree.
    #[doc(hidden)]
    pub fn prepare_two_pass(
        &self,
        doc: &Document<'_>,
        at: Option<NaiveDate>,
    ) -> Result<Prepared<'_>, DocumentError> {
        let invalid = |e| DocumentError::invalid(doc, None, e);
        let scanned = Scanned::new(doc.text, doc.format).map_err(invalid)?;
        self.prepare_scanned(doc, scanned, at)
    }

    /// The envelope, then the facts.
    fn prepare_scanned<'p>(
        &'p self,
        doc: &Document<'_>,
        scanned: Scanned<'_>,
        at: Option<NaiveDate>,
    ) -> Result<Prepared<'p>, DocumentError> {
        let invalid = |e| DocumentError::invalid(doc, None, e);
        let env = scanned.envelope().map_err(invalid)?;
        let id = env.id.clone().unwrap_or_default();
        let fail = |message: String, path: Option<&str>, shown: Option<(&str, &str)>| {
            DocumentError::plain(doc, &id, message, path, shown)
        };
        let Some(name) = env.policy.clone() else {
            let message = format!("the document names no policy (loaded: {})", self.names());
            return Err(fail(message, Some("policy"), None));
        };
        let (date, from) = version_date(&env, at).map_err(|e| match &e {
            VersionDateError::NoDate => fail(e.message(), None, None)
                .with_help("give one of these dates, or the date whose terms apply with --at DATE"),
            VersionDateError::NotADate { path, .. } => {
                let label = match *path {
                    "claim.filed_at" => "not an instant",
                    "protection.purchased_at" | "order.placed_at" => "not a date or an instant",
                    _ => "not a date",
                };
                fail(e.message(), Some(path), Some((path, label)))
            }
        })?;
        let program = self.select(&name, date).map_err(|m| {
            let shown = match from {
                _ if !self.by_name.contains_key(name.as_str()) => Some(("policy", "not loaded")),
                DATE_FROM_AT => None,
                p => Some((p, "no version is in force on this date")),
            };
            fail(m, Some("policy"), shown)
        })?;
        let mut prepared = decode_for(program, doc, scanned, env, self.strict)?;
        prepared.picked_by = Some((date, from));
        Ok(prepared)
    }

    /// Prepares a document reading its text once (but for its first few keys), when that
    /// gives what [`PolicySet::prepare`] gives: the policy's name is read up to the
    /// `policy` key; the facts are decoded against the latest version of that policy; the
    /// dates and the document's id are then read from the facts, and the version they pick
    /// is used if its facts are laid out the same (else the document is decoded again for
    /// it). `None` whenever this cannot be sure to agree with reading the envelope first:
    /// a document that fails to decode, has no date, both a claim and a cancellation, or
    /// a version whose facts do not declare every envelope field with the envelope's types.
    /// The caller then reads the envelope, so that every error is the one it gives.
    fn prepare_once<'p>(
        &'p self,
        doc: &Document<'_>,
        scanned: Scanned<'_>,
        at: Option<NaiveDate>,
    ) -> Option<Prepared<'p>> {
        // The name is guessed without reading the keys before it, and the guess is kept
        // only when the facts' reading finds the top-level `policy` where it was guessed;
        // else it is read the sure way, from the start of the document.
        let guess = scanned.policy_guess();
        let name: std::borrow::Cow<'_, str> = match guess {
            Some((name, _)) => name.into(),
            None => scanned.policy_name()?.into(),
        };
        let versions = self.by_name.get(name.as_ref())?;
        let latest = self.programs.get(*versions.last()?)?;
        let fields = latest.envelope.as_ref()?;
        let confirmed =
            guess.and_then(|(_, at)| scanned.decode_confirming(&latest.schema, self.strict, at));
        let facts = match (confirmed, guess) {
            (Some(facts), _) => facts,
            (None, Some(_)) if scanned.policy_name()? != name => return None,
            (None, _) => scanned.decode(&latest.schema, self.strict).ok()?,
        };
        let read = fields.read(&facts)?;
        let (date, from) = match at {
            Some(d) => (d, DATE_FROM_AT),
            None => first_given(read.dates)?,
        };
        let index = self.in_force(versions, date)?;
        let program = self.programs.get(index)?;
        let facts = if *self.laid_out_as_latest.get(index)? {
            facts
        } else {
            scanned.decode(&program.schema, self.strict).ok()?
        };
        Some(Prepared {
            program,
            id: read.id,
            facts,
            picked_by: Some((date, from)),
            input: doc.input(),
        })
    }

    /// Evaluates one document against the version in force on its purchase date.
    pub fn evaluate(&self, doc: &Document<'_>) -> Result<Decision, DocumentError> {
        self.evaluate_at(doc, None)
    }

    /// Evaluates one document; `at` overrides the date that picks the version.
    pub fn evaluate_at(
        &self,
        doc: &Document<'_>,
        at: Option<NaiveDate>,
    ) -> Result<Decision, DocumentError> {
        self.prepare(doc, at)?.decide()
    }

    /// Evaluates one document as [`PolicySet::evaluate`] does, with its trace: every rule
    /// considered, in order, with the values it read (see [`crate::Trace`]).
    pub fn explain(&self, doc: &Document<'_>) -> Result<(Decision, Trace), DocumentError> {
        self.explain_at(doc, None)
    }

    /// [`PolicySet::explain`]; `at` overrides the date that picks the version.
    pub fn explain_at(
        &self,
        doc: &Document<'_>,
        at: Option<NaiveDate>,
    ) -> Result<(Decision, Trace), DocumentError> {
        self.prepare(doc, at)?.decide_traced()
    }
}

/// Decodes a document against one given policy version, whatever the dates say.
///
/// For comparing versions (`proviso replay`): the document must still name the
/// policy, and that name must be `program`'s. `strict`: see [`PolicySet::strict`].
pub fn prepare_with<'p>(
    program: &'p Program,
    doc: &Document<'_>,
    strict: bool,
) -> Result<Prepared<'p>, DocumentError> {
    let (scanned, env, name) = read_envelope(doc)?;
    if *name != *program.meta.name {
        let id = env.id.clone().unwrap_or_default();
        return Err(DocumentError::plain(
            doc,
            &id,
            format!(
                "document is for policy `{name}`, not `{}`",
                program.meta.name
            ),
            Some("policy"),
            Some(("policy", "another policy")),
        ));
    }
    decode_for(program, doc, scanned, env, strict)
}

/// Reads a document's envelope and the policy it names.
fn read_envelope<'t>(doc: &Document<'t>) -> Result<(Scanned<'t>, Envelope, String), DocumentError> {
    let invalid = |e| DocumentError::invalid(doc, None, e);
    let scanned = Scanned::new(doc.text, doc.format).map_err(invalid)?;
    let env = scanned.envelope().map_err(invalid)?;
    match env.policy.clone() {
        Some(name) => Ok((scanned, env, name)),
        None => Err(DocumentError::plain(
            doc,
            env.id.as_deref().unwrap_or_default(),
            "the document names no policy".into(),
            Some("policy"),
            None,
        )),
    }
}

/// Decodes a document's facts against the policy version chosen for it.
fn decode_for<'p>(
    program: &'p Program,
    doc: &Document<'_>,
    scanned: Scanned<'_>,
    env: Envelope,
    strict: bool,
) -> Result<Prepared<'p>, DocumentError> {
    let facts = scanned
        .decode(&program.schema, strict)
        .map_err(|e| DocumentError::invalid(doc, env.id.as_deref(), e))?;
    Ok(Prepared {
        program,
        id: env.id.unwrap_or_default(),
        facts,
        picked_by: None,
        input: doc.input(),
    })
}

/// Parses, checks and compiles one policy source.
pub fn compile_source(src: &Source) -> Result<Program, Vec<PolicyError>> {
    deep(src, || compile_on_deep_stack(src))
}

/// Runs `f` on a deep stack (see [`crate::stack`]); a thread that cannot start is an error
/// of the policy `src`.
fn deep<T: Send>(
    src: &Source,
    f: impl FnOnce() -> Result<T, Vec<PolicyError>> + Send,
) -> Result<T, Vec<PolicyError>> {
    crate::stack::deep(f).map_err(|message| {
        vec![PolicyError::new(
            src,
            crate::span::Span::default(),
            message,
            "",
        )]
    })?
}

/// [`compile_source`] on the calling thread, which must have a deep stack.
fn compile_on_deep_stack(src: &Source) -> Result<Program, Vec<PolicyError>> {
    let ast = crate::parse::parse_on_deep_stack(src)?;
    compile_checked(src, &ast)
}

/// Checks and compiles a policy already parsed from `src`, with its hooks.
pub fn compile_ast(src: &Source, ast: &PolicyFile) -> Result<Program, Vec<PolicyError>> {
    deep(src, || compile_checked(src, ast))
}

/// Parses, checks and compiles a policy held in memory, with its hook files given in
/// memory too (each text under the name the policy gives it in `from "..."`): no file is
/// read, and a hook whose file is not in `hooks` is an error (see [`Hooks::given`]). The
/// policy as written comes back with its program, for [`crate::diff`].
pub fn compile_given(
    src: &Source,
    hooks: &BTreeMap<String, String>,
) -> Result<(PolicyFile, Program), Vec<PolicyError>> {
    deep(src, || {
        let ast = crate::parse::parse_on_deep_stack(src)?;
        let program = compile_with(src, &ast, HookFiles::Given(hooks))?;
        Ok((ast, program))
    })
}

/// Where a policy's hook files come from.
#[derive(Clone, Copy)]
enum HookFiles<'a> {
    /// Read next to the policy file.
    Disk,
    /// Given in memory, by name.
    Given(&'a BTreeMap<String, String>),
}

/// Checks and compiles, on a stack deep enough for the tree (see [`crate::stack`]).
fn compile_checked(src: &Source, ast: &PolicyFile) -> Result<Program, Vec<PolicyError>> {
    compile_with(src, ast, HookFiles::Disk)
}

fn compile_with(
    src: &Source,
    ast: &PolicyFile,
    hook_files: HookFiles<'_>,
) -> Result<Program, Vec<PolicyError>> {
    let mut checked = crate::check::check(src, ast)?;
    let (mut files, given) = match hook_files {
        HookFiles::Disk => (Hooks::read(src, &checked.hooks)?, None),
        HookFiles::Given(given) => (Hooks::given(src, &checked.hooks, given)?, Some(given)),
    };
    let hooks = Hooks::compile(src, &checked.hooks, &files)?;
    // Calendar files are hashed after the hook files, in declaration order.
    files.extend(crate::calendar::read_files(
        src,
        &mut checked.calendars,
        given,
    )?);
    compile(src, checked, hooks, &files)
}

/// Reads one policy file: at most [`MAX_POLICY_BYTES`] of UTF-8 text.
pub fn read_policy(path: &Path) -> Result<Source, LoadError> {
    let name = path.display().to_string();
    match read_text(path, &name, MAX_POLICY_BYTES, "policy file") {
        Ok(text) => Ok(Source::new(name, text)),
        Err(Unreadable::Io(e)) => Err(LoadError::Io {
            path: name,
            message: e.to_string(),
        }),
        Err(Unreadable::TooLarge(start)) => Err(PolicyErrors::from(too_large(&start)).into()),
        Err(Unreadable::NotUtf8(e)) => Err(PolicyErrors::from(e).into()),
    }
}

/// The policy files at these paths: each file named, and every `.proviso` file below each
/// directory, in sorted order. Symbolic links are followed, but each real directory is
/// walked once: a link back up the tree (or a second link to one directory) adds nothing.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    let mut walked = HashSet::new();
    for p in paths {
        collect(p, &mut walked, &mut files)?;
    }
    Ok(files)
}

fn collect(
    path: &Path,
    walked: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let io = |e: std::io::Error| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    if !walked.insert(std::fs::canonicalize(path).map_err(io)?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, walked, out)?;
        } else if entry.extension().is_some_and(|x| x == POLICY_EXTENSION) {
            out.push(entry);
        }
    }
    Ok(())
}

/// Reports versions of one policy that are in force on the same day, and repeated labels,
/// at the later file's `effective` (or `version`) declaration.
fn overlaps(programs: &[Program], versions: &[usize]) -> Vec<PolicyError> {
    let mut errors = Vec::new();
    let list: Vec<&Program> = versions.iter().filter_map(|&i| programs.get(i)).collect();
    for (i, later) in list.iter().enumerate() {
        for earlier in list.iter().take(i) {
            if earlier.meta.version == later.meta.version {
                errors.push(
                    PolicyError::new(
                        &later.meta.file,
                        later.meta.version_span,
                        format!(
                            "version `{}` of `{}` is defined twice",
                            later.meta.version, later.meta.name
                        ),
                        "second definition",
                    )
                    .with_help(format!("the other is {}", earlier.meta.file.name)),
                );
            } else if earlier.meta.until.is_none_or(|u| u >= later.meta.effective) {
                let day = later.meta.effective;
                let help = match day.pred_opt() {
                    Some(prev) => format!(
                        "end `{}` ({}) with `until {prev}`",
                        earlier.meta.version, earlier.meta.file.name
                    ),
                    None => "end the earlier version before this one starts".into(),
                };
                errors.push(
                    PolicyError::new(
                        &later.meta.file,
                        later.meta.effective_span,
                        format!(
                            "versions `{}` and `{}` of `{}` are both in force on {day}",
                            earlier.meta.version, later.meta.version, later.meta.name
                        ),
                        format!(
                            "in force from here, while `{}` still is",
                            earlier.meta.version
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
    errors
}

impl fmt::Display for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
