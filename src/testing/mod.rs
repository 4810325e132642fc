//! Policy tests: cases of documents and what their decisions should be, run against a policy set.
//!
//! A test file is YAML in a `tests/` folder beside the policies it tests
//! (`policies/xcotton/shipping-protection/tests/lost.yaml`). It holds `cases`; each case
//! has a `name`, a `document` (a path relative to the test file, or a mapping written in
//! place), optionally `at` (the date whose terms apply, as `proviso eval --at`), and
//! `expect`: the decision and, as the author chooses, the payout (and its components) or
//! refund, the reasons' rule names, the missing evidence, the assessed inputs awaited,
//! `eligible_from`, deadlines, notes and the policy version. Only what is written is
//! compared. Every key is known: a misspelt one is an error, never a case that passes for
//! want of checking.
//!
//! The parts: `tree` reads the YAML with every node's place, `file` reads the cases, and
//! `expect` compares a decision with a case's expectation. [`find`] finds test files and
//! the policies they test; [`run`] reads and runs them into a [`Report`].

mod expect;
mod file;
pub mod tree;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use miette::Diagnostic;
use rust_decimal::Decimal;

use crate::coverage::{self, Coverage, VersionReport};
use crate::decision::Decision;
use crate::diagnostic::PolicyError;
use crate::error::DocumentError;
use crate::policy_set::{Document, PolicySet, POLICY_EXTENSION};
use crate::read::{read_text, Unreadable};
use crate::span::{Source, Span};
use crate::{Format, Outcome};

pub use file::{CASE_KEYS, EXPECT_KEYS, FILE_KEYS};

/// The folder, beside the policies, that holds their test files.
pub const TESTS_DIR: &str = "tests";

/// The largest test file, and the largest document file a case names: 16 MiB.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// A test file, read.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// The file, as found.
    pub path: Arc<str>,
    pub source: Source,
    pub cases: Vec<Case>,
}

/// One case: a document, and what its decision should be.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    /// The line the case starts on.
    pub line: usize,
    pub document: CaseDocument,
    /// The date whose terms apply, instead of the document's own dates.
    pub at: Option<NaiveDate>,
    pub expect: Expectation,
}

/// Where a case's document is.
#[derive(Clone, Debug)]
pub enum CaseDocument {
    /// A YAML or JSON file: the path opened (relative to the test file's folder, joined to
    /// it), the path shown (tidied: `examples/x.yaml`), and where the test file names it;
    /// for a JSON Lines file, the line that holds the document (`line: N` in the case).
    File {
        path: PathBuf,
        shown: String,
        span: Span,
        line: Option<usize>,
    },
    /// A mapping written in the test file: its text, with the columns before it as spaces,
    /// and the line it starts on.
    Inline { text: String, line: usize },
}

/// What a case expects: the decision, and what else its author chose to state.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub decision: Outcome,
    pub payout: Option<Money>,
    /// Payout component name to its amount: only the components named are compared.
    pub components: Vec<(String, Money)>,
    pub refund: Option<Money>,
    /// Exactly these rule names among the reasons, in order.
    pub reasons: Option<Vec<String>>,
    /// These rule names among the reasons, in any order, with others or not.
    pub reasons_include: Option<Vec<String>>,
    /// Exactly these requirement names under `missing_evidence`, in order.
    pub missing_evidence: Option<Vec<String>>,
    /// Exactly these assessed inputs under `awaiting`, in order.
    pub awaiting: Option<Vec<String>>,
    /// The decision's `eligible_from` as written: `Some(None)` when it should have none.
    pub eligible_from: Option<Option<String>>,
    /// Deadline name to its value as written (`None`: the deadline does not apply).
    pub deadlines: Vec<(String, Option<String>)>,
    /// Note name to its value as written (`None`: the note does not apply).
    pub notes: Vec<(String, Option<String>)>,
    pub policy_version: Option<String>,
}

impl Default for Expectation {
    fn default() -> Self {
        Expectation {
            decision: Outcome::Approved,
            payout: None,
            components: Vec::new(),
            refund: None,
            reasons: None,
            reasons_include: None,
            missing_evidence: None,
            awaiting: None,
            eligible_from: None,
            deadlines: Vec::new(),
            notes: Vec::new(),
            policy_version: None,
        }
    }
}

/// An amount a case expects; its currency is compared only when it is given.
#[derive(Clone, Debug, PartialEq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Option<String>,
}

/// One way a decision differs from what its case expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The expectation's key: `decision`, `payout`, `reasons`, `deadlines.settle_by`, ...
    pub field: String,
    /// As the case states it, and as the decision has it (`[a, b]` for lists).
    pub expected: String,
    pub actual: String,
    /// In words: `decision expected approved, got denied`.
    pub message: String,
}

/// Why a test file could not be run.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
pub enum TestFileError {
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(help("check the path; a test file is a `.yaml` file in a `tests/` folder"))]
    Io { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<PolicyError>),
}

impl TestFileError {
    fn with_help(self, help: impl Into<String>) -> Self {
        match self {
            TestFileError::Invalid(e) => TestFileError::Invalid(Box::new(e.with_help(help))),
            io => io,
        }
    }

    /// `file:line:col` of the error, or the file when it could not be read.
    pub fn location(&self) -> String {
        match self {
            TestFileError::Io { path, .. } => path.clone(),
            TestFileError::Invalid(e) => e.location(),
        }
    }

    /// The message alone.
    pub fn message(&self) -> String {
        match self {
            TestFileError::Invalid(e) => e.message.clone(),
            io => io.to_string(),
        }
    }
}

/// Why a case got no decision.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
pub enum CaseError {
    /// The document file could not be read (located at the test file's `document:`).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unreadable(Box<PolicyError>),
    /// The document could not be decided.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Document(Box<DocumentError>),
}

impl CaseError {
    /// The message alone.
    pub fn message(&self) -> String {
        match self {
            CaseError::Unreadable(e) => e.message.clone(),
            CaseError::Document(e) => e.to_string(),
        }
    }
}

/// How one case went.
#[derive(Debug, Clone)]
pub enum CaseResult {
    Passed(Box<Decision>),
    Failed(Box<Decision>, Vec<Difference>),
    Error(CaseError),
}

/// One case run.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub name: String,
    pub line: usize,
    pub result: CaseResult,
}

/// One test file run, or why it could not be.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: Arc<str>,
    pub cases: Result<Vec<CaseReport>, TestFileError>,
}

/// Every test file run, in the order found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
}

/// How many cases passed and failed, and how many errors there were (cases without a
/// decision, and test files that could not be read).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.files {
            match &f.cases {
                Err(_) => c.errors += 1,
                Ok(cases) => {
                    for case in cases {
                        match case.result {
                            CaseResult::Passed(_) => c.passed += 1,
                            CaseResult::Failed(..) => c.failed += 1,
                            CaseResult::Error(_) => c.errors += 1,
                        }
                    }
                }
            }
        }
        c
    }
}

/// What the paths given to `proviso test` name: the policies to load, and the test files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub policies: Vec<PathBuf>,
    pub tests: Vec<PathBuf>,
}

/// Finds test files and the policies they test. Each path is:
///
/// - a directory: its policies are loaded, and its test files are the `.yaml` and `.yml`
///   files directly inside every folder named `tests` below it (a `tests` folder's own
///   folders are not searched, so they can hold the documents its cases read);
/// - a policy file: it is loaded, and the test files are those in `tests/` beside it;
/// - a test file (`.yaml`, `.yml`), or a `tests` folder: it is run, with the policies of
///   the folder that holds its `tests` folder.
///
/// A path that cannot be read is kept among the policies, whose loading then says why.
/// Symbolic links are followed, but each real directory is walked once.
pub fn find(paths: &[PathBuf]) -> Found {
    let mut found = Found::default();
    let mut walked = HashSet::new();
    let mut tests = Vec::new();
    for p in paths {
        let policies_of = |dir: &Path| match dir.file_name() {
            Some(n) if n == TESTS_DIR => dir.parent().unwrap_or(Path::new(".")).to_path_buf(),
            _ => dir.to_path_buf(),
        };
        if p.is_dir() {
            found.policies.push(policies_of(p));
            if p.file_name().is_some_and(|n| n == TESTS_DIR) {
                test_files(p, &mut tests);
            } else {
                walk(p, &mut walked, &mut tests);
            }
        } else if is_test_file(p) {
            let dir = p.parent().unwrap_or(Path::new(""));
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            found.policies.push(policies_of(dir));
            tests.push(p.clone());
        } else {
            found.policies.push(p.clone());
            if p.extension().is_some_and(|x| x == POLICY_EXTENSION) {
                let dir = p.parent().unwrap_or(Path::new(""));
                test_files(&dir.join(TESTS_DIR), &mut tests);
            }
        }
    }
    let mut seen = HashSet::new();
    found
        .policies
        .retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    let mut seen = HashSet::new();
    found.tests = tests
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect();
    found
}

fn is_test_file(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// Walks `dir` for `tests` folders, in sorted order.
fn walk(dir: &Path, walked: &mut HashSet<PathBuf>, tests: &mut Vec<PathBuf>) {
    let Ok(real) = std::fs::canonicalize(dir) else {
        return;
    };
    if !walked.insert(real) {
        return;
    }
    for entry in sorted(dir) {
        if !entry.is_dir() {
            continue;
        }
        if entry.file_name().is_some_and(|n| n == TESTS_DIR) {
            test_files(&entry, tests);
        } else {
            walk(&entry, walked, tests);
        }
    }
}

/// The test files directly in a `tests` folder, sorted.
fn test_files(dir: &Path, tests: &mut Vec<PathBuf>) {
    tests.extend(
        sorted(dir)
            .into_iter()
            .filter(|p| is_test_file(p) && !p.is_dir()),
    );
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// Reads a test file.
pub fn read_file(path: &Path) -> Result<TestFile, TestFileError> {
    let name = path.display().to_string();
    let text = read_text(path, &name, MAX_FILE_BYTES, "test file").map_err(|e| match e {
        Unreadable::Io(e) => TestFileError::Io {
            path: name.clone(),
            message: e.to_string(),
        },
        Unreadable::TooLarge(start) => TestFileError::Invalid(Box::new(
            PolicyError::new(
                &start,
                Span::new(0, 0),
                format!("the test file is larger than {} MiB", MAX_FILE_BYTES >> 20),
                "in this file",
            )
            .with_help("split its cases over several test files"),
        )),
        Unreadable::NotUtf8(e) => TestFileError::Invalid(Box::new(e)),
    })?;
    parse(&Source::new(name, text))
}

/// Reads a test file's text (`source`, named by its path) into its cases.
pub fn parse(source: &Source) -> Result<TestFile, TestFileError> {
    file::parse(source)
}

/// Runs every case of a test file.
pub fn run_file(set: &PolicySet, file: &TestFile) -> Vec<CaseReport> {
    cases(set, file, &mut None)
}

fn cases(set: &PolicySet, file: &TestFile, coverage: &mut Option<Coverage>) -> Vec<CaseReport> {
    file.cases
        .iter()
        .map(|case| CaseReport {
            name: case.name.clone(),
            line: case.line,
            result: case_result(set, file, case, coverage),
        })
        .collect()
}

/// Reads and runs every test file, in order.
pub fn run(set: &PolicySet, tests: &[PathBuf]) -> Report {
    files(set, tests, &mut None)
}

/// Reads and runs every test file, in order, and reports the rule coverage of the cases:
/// for every version of `set`, each of its rules, how many cases it decided (or
/// contributed to), and in how many its condition was seen true and seen false.
pub fn run_with_coverage(set: &PolicySet, tests: &[PathBuf]) -> (Report, coverage::Report) {
    let mut coverage = Coverage::new();
    for program in set.versions() {
        coverage.register(program);
    }
    let mut coverage = Some(coverage);
    let report = files(set, tests, &mut coverage);
    let covered = coverage.unwrap_or_default().report();
    (report, covered)
}

fn files(set: &PolicySet, tests: &[PathBuf], coverage: &mut Option<Coverage>) -> Report {
    let files = tests
        .iter()
        .map(|path| FileReport {
            path: path.display().to_string().into(),
            cases: read_file(path).map(|f| cases(set, &f, coverage)),
        })
        .collect();
    Report { files }
}

/// Whether some case made at least `min` percent of the version's rules decide.
pub fn meets(v: &VersionReport, min: u8) -> bool {
    let (decided, total) = v.to_cover();
    decided * 100 >= usize::from(min) * total
}

/// `part` of `whole` in percent, to a tenth and rounded down (so `100.0` means all):
/// `87.5`. Nothing of nothing is `100.0`.
pub fn percent(part: usize, whole: usize) -> String {
    let tenths = match whole {
        0 => 1000,
        w => part.saturating_mul(1000) / w,
    };
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Decides a case's document and compares the decision with what the case expects.
pub fn run_case(set: &PolicySet, file: &TestFile, case: &Case) -> CaseResult {
    case_result(set, file, case, &mut None)
}

/// Decides a document, adding its trace to `coverage` when there is one.
fn decide(
    set: &PolicySet,
    doc: &Document<'_>,
    at: Option<NaiveDate>,
    coverage: &mut Option<Coverage>,
) -> Result<Decision, DocumentError> {
    match coverage {
        None => set.evaluate_at(doc, at),
        Some(c) => {
            let (d, trace) = set.explain_at(doc, at)?;
            c.record(&d, &trace);
            Ok(d)
        }
    }
}

fn case_result(
    set: &PolicySet,
    file: &TestFile,
    case: &Case,
    coverage: &mut Option<Coverage>,
) -> CaseResult {
    let decided = match &case.document {
        CaseDocument::Inline { text, line } => {
            let doc = Document {
                name: file.path.clone(),
                text,
                format: Format::Yaml,
                line: *line,
            };
            decide(set, &doc, case.at, coverage)
        }
        CaseDocument::File {
            path,
            shown,
            span,
            line,
        } => {
            let unreadable = |message: String, help: &str| {
                let e = PolicyError::new(&file.source, *span, message, "cannot be read")
                    .with_help(help);
                CaseResult::Error(CaseError::Unreadable(Box::new(e)))
            };
            let text = match read_document(path, shown) {
                Ok(t) => t,
                Err(message) => {
                    return unreadable(message, "the path is relative to the test file's folder")
                }
            };
            let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
            let (text, format, line) = match line {
                Some(n) => match text.lines().nth(n - 1).filter(|l| !l.trim().is_empty()) {
                    Some(l) => (l, Format::Json, *n),
                    None => {
                        let message = format!("`{shown}` has no document on line {n}");
                        return unreadable(message, "name a line that holds a JSON document");
                    }
                },
                None if file::json_lines(path) => {
                    let message = format!(
                        "`{shown}` holds JSON Lines; a case's document is one of its lines"
                    );
                    return unreadable(message, "say which with `line: N`");
                }
                None => {
                    let format = match path.extension().and_then(|x| x.to_str()) {
                        Some("json") => Format::Json,
                        _ => Format::Yaml,
                    };
                    (text, format, 0)
                }
            };
            let doc = Document {
                name: shown.as_str().into(),
                text,
                format,
                line,
            };
            decide(set, &doc, case.at, coverage)
        }
    };
    match decided {
        Ok(d) => {
            let program = set
                .versions()
                .find(|p| p.meta.name == d.policy.name && p.meta.version == d.policy.version);
            let differences = expect::compare(&case.expect, &d, program);
            if differences.is_empty() {
                CaseResult::Passed(Box::new(d))
            } else {
                CaseResult::Failed(Box::new(d), differences)
            }
        }
        Err(e) => CaseError::Document(Box::new(e)).into(),
    }
}

impl From<CaseError> for CaseResult {
    fn from(e: CaseError) -> Self {
        CaseResult::Error(e)
    }
}

/// A case's document file as text, or why it cannot be had.
fn read_document(path: &Path, shown: &str) -> Result<String, String> {
    match read_text(path, shown, MAX_FILE_BYTES, "document") {
        Ok(text) => Ok(text),
        Err(Unreadable::Io(e)) => Err(format!("cannot read `{shown}`: {e}")),
        Err(Unreadable::TooLarge(_)) => Err(format!(
            "`{shown}` is larger than {} MiB, the most a case's document may hold",
            MAX_FILE_BYTES >> 20
        )),
        Err(Unreadable::NotUtf8(e)) => Err(format!("`{shown}`: {}", e.message)),
    }
}
