//! `proviso test`: run the policies' test files and report each failing case, as text, JSON Lines or JUnit XML.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use proviso::internals::coverage::{self, RuleCoverage, VersionReport};
use proviso::internals::testing::{self, CaseResult, Counts, Report};
use proviso::PolicySet;
use serde::Serialize;

use super::escape::Shown;
use super::{
    check::report_load_error, junit, output, render, EXIT_COVERAGE, EXIT_DOCUMENT, EXIT_OK,
    EXIT_POLICY, EXIT_TEST_FAILED,
};

#[derive(clap::Args)]
pub struct Args {
    /// Policy directories or files, test files, or `tests` folders. A directory's policies
    /// are loaded and its test files are the `.yaml` files in every `tests` folder below it;
    /// a policy file's are in `tests/` beside it; a test file runs with the policies of the
    /// folder that holds its `tests` folder
    #[arg(default_value = "policies")]
    paths: Vec<PathBuf>,
    /// Output format: `text` lists the failing cases, `json` gives one object per case and
    /// a summary, one a line; `junit` is JUnit XML for CI systems
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
    /// Report rule coverage: for each policy version, how many of its rules some case made
    /// decide (or contribute to the decision), and those none did, with their file and line
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 6) when some policy version has less than this percentage of its rules
    /// decided by the cases (implies --coverage)
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    min_coverage: Option<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// The failing cases and a summary, for people
    Text,
    /// One JSON object per case, then a summary object, one a line
    Json,
    /// JUnit XML, one `testsuite` per test file
    Junit,
}

pub fn run(args: &Args) -> i32 {
    let found = testing::find(&args.paths);
    let set = match PolicySet::load_all(&found.policies) {
        Ok(set) => set,
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    if found.tests.is_empty() {
        let given: Vec<String> = args
            .paths
            .iter()
            .map(|p| format!("`{}`", Shown(&p.display().to_string())))
            .collect();
        render::message(&format!(
            "error: no test files found in {}\n  help: write test files as `tests/NAME.yaml` \
             beside the policies they test (`policies/NAME/tests/NAME.yaml`)\n",
            given.join(", ")
        ));
        return EXIT_DOCUMENT;
    }
    let (report, covered) = if args.coverage || args.min_coverage.is_some() {
        let (report, covered) = testing::run_with_coverage(&set, &found.tests);
        (report, Some(covered))
    } else {
        (testing::run(&set, &found.tests), None)
    };
    diagnostics(&report);
    let cov = covered.as_ref().map(|c| Cov {
        report: c,
        min: args.min_coverage,
    });
    let mut out = output::stdout();
    let written = match args.format {
        TestFormat::Text => text(&mut out, &report, cov.as_ref()),
        TestFormat::Json => json(&mut out, &report, cov.as_ref()),
        TestFormat::Junit => junit::write(&mut out, &report, cov.as_ref()),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        return output::stdout_failed(&e);
    }
    let c = report.counts();
    if c.errors > 0 {
        EXIT_DOCUMENT
    } else if c.failed > 0 {
        EXIT_TEST_FAILED
    } else if cov.is_some_and(|c| !c.met()) {
        EXIT_COVERAGE
    } else {
        EXIT_OK
    }
}

/// The rule coverage of a run, and the minimum asked for.
pub struct Cov<'a> {
    pub report: &'a coverage::Report,
    pub min: Option<u8>,
}

impl Cov<'_> {
    /// Whether the version has the minimum coverage (any, when none was asked for).
    pub fn meets(&self, v: &VersionReport) -> bool {
        self.min.is_none_or(|min| testing::meets(v, min))
    }

    /// Whether every version has the minimum coverage.
    pub fn met(&self) -> bool {
        self.report.versions.iter().all(|v| self.meets(v))
    }
}

/// `coverage xcotton/shipping-protection 2025-01-01: 44 of 45 rules decided (97.7%)`, and
/// `, 1 exempt` when exempt rules no case reached are left out of the count.
pub fn coverage_line(v: &VersionReport) -> String {
    let (decided, total) = v.to_cover();
    let exempt = match v.exempt().count() {
        0 => String::new(),
        n => format!(", {n} exempt"),
    };
    format!(
        "coverage {} {}: {decided} of {total} rules decided ({}%){exempt}",
        v.name,
        v.version,
        testing::percent(decided, total)
    )
}

/// `never decided  not_covered (fallback) policies/x/2025-01-01.proviso:120`, for each rule
/// of the version that no case made decide; `exempt  name (kind) file:line: why` for each
/// exempt one; then `always held` or `never held` for each rule whose condition was seen
/// only one way.
pub fn undecided_lines(v: &VersionReport) -> Vec<String> {
    let at = |r: &RuleCoverage| {
        let (file, line) = r.file_line();
        format!("{} ({}) {file}:{line}", r.rule, r.kind)
    };
    let never = v.undecided().map(|r| format!("never decided  {}", at(r)));
    let exempt = v.exempt().map(|r| {
        let why = r.exempt.as_deref().unwrap_or("");
        format!("exempt         {}: {why}", at(r))
    });
    let one_sided = v.one_sided().map(|r| match r.seen_true {
        0 => format!("never held     {}", at(r)),
        _ => format!("always held    {}", at(r)),
    });
    never.chain(exempt).chain(one_sided).collect()
}

/// Every test file that could not be read, and every case without a decision, drawn on
/// standard error.
fn diagnostics(report: &Report) {
    for file in &report.files {
        match &file.cases {
            Err(e) => render::eprint(e),
            Ok(cases) => {
                for case in cases {
                    if let CaseResult::Error(e) = &case.result {
                        render::eprint(e);
                    }
                }
            }
        }
    }
}

/// `3 passed, 1 failed, 0 errors`.
pub fn summary(c: Counts) -> String {
    let errors = match c.errors {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    };
    format!("{} passed, {} failed, {errors}", c.passed, c.failed)
}

/// A line for each failing case (with the decision's reasons below it) and each error,
/// then the rule coverage when asked for, then the summary.
fn text(out: &mut impl Write, report: &Report, cov: Option<&Cov<'_>>) -> io::Result<()> {
    for file in &report.files {
        let cases = match &file.cases {
            Ok(cases) => cases,
            Err(e) => {
                writeln!(
                    out,
                    "ERROR {}: {}",
                    Shown(&e.location()),
                    Shown(&e.message())
                )?;
                continue;
            }
        };
        for case in cases {
            let at = format!("{}:{}", file.path, case.line);
            match &case.result {
                CaseResult::Passed(_) => {}
                CaseResult::Failed(d, differences) => {
                    let messages: Vec<&str> =
                        differences.iter().map(|d| d.message.as_str()).collect();
                    writeln!(
                        out,
                        "FAIL {} {}: {}",
                        Shown(&at),
                        Shown(&case.name),
                        Shown(&messages.join("; "))
                    )?;
                    for r in &d.reasons {
                        writeln!(
                            out,
                            "  because {} ({}) \"{}\"",
                            Shown(&r.rule),
                            r.kind,
                            Shown(&r.text)
                        )?;
                    }
                }
                CaseResult::Error(e) => writeln!(
                    out,
                    "ERROR {} {}: {}",
                    Shown(&at),
                    Shown(&case.name),
                    Shown(&e.message())
                )?,
            }
        }
    }
    if let Some(cov) = cov {
        for v in &cov.report.versions {
            let below = match cov.min {
                Some(min) if !cov.meets(v) => format!(", below the minimum of {min}%"),
                _ => String::new(),
            };
            writeln!(out, "{}{below}", Shown(&coverage_line(v)))?;
            for line in undecided_lines(v) {
                writeln!(out, "  {}", Shown(&line))?;
            }
        }
    }
    writeln!(out, "{}", summary(report.counts()))
}

/// One case of the JSON output.
#[derive(Serialize)]
struct CaseLine<'a> {
    file: &'a str,
    line: usize,
    case: Option<&'a str>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    differences: Option<Vec<DifferenceLine<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a proviso::Decision>,
}

#[derive(Serialize)]
struct DifferenceLine<'a> {
    field: &'a str,
    expected: &'a str,
    actual: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct ErrorBody {
    message: String,
    source: String,
}

#[derive(Serialize)]
struct CoverageLine<'a> {
    coverage: Vec<VersionLine<'a>>,
}

/// One policy version's rule coverage.
#[derive(Serialize)]
struct VersionLine<'a> {
    name: &'a str,
    version: &'a str,
    /// Cases it decided.
    documents: usize,
    /// Rules some case made decide, of all its rules.
    decided: usize,
    total: usize,
    percent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    meets_minimum: Option<bool>,
    rules: &'a [coverage::RuleCoverage],
}

#[derive(Serialize)]
struct SummaryLine {
    summary: Totals,
}

#[derive(Serialize)]
struct Totals {
    passed: usize,
    failed: usize,
    errors: usize,
}

/// One JSON object per case (and per test file that could not be read), then the summary.
fn json(out: &mut impl Write, report: &Report, cov: Option<&Cov<'_>>) -> io::Result<()> {
    for file in &report.files {
        let cases = match &file.cases {
            Ok(cases) => cases,
            Err(e) => {
                let at_line = line_of(&e.location(), &file.path);
                line(
                    out,
                    &CaseLine {
                        file: &file.path,
                        line: at_line,
                        case: None,
                        status: "error",
                        differences: None,
                        error: Some(ErrorBody {
                            message: e.message(),
                            source: e.location(),
                        }),
                        decision: None,
                    },
                )?;
                continue;
            }
        };
        for case in cases {
            let mut entry = CaseLine {
                file: &file.path,
                line: case.line,
                case: Some(&case.name),
                status: "passed",
                differences: None,
                error: None,
                decision: None,
            };
            match &case.result {
                CaseResult::Passed(d) => entry.decision = Some(d),
                CaseResult::Failed(d, differences) => {
                    entry.status = "failed";
                    entry.decision = Some(d);
                    entry.differences = Some(
                        differences
                            .iter()
                            .map(|d| DifferenceLine {
                                field: &d.field,
                                expected: &d.expected,
                                actual: &d.actual,
                                message: &d.message,
                            })
                            .collect(),
                    );
                }
                CaseResult::Error(e) => {
                    entry.status = "error";
                    entry.error = Some(ErrorBody {
                        message: e.message(),
                        source: format!("{}:{}", file.path, case.line),
                    });
                }
            }
            line(out, &entry)?;
        }
    }
    if let Some(cov) = cov {
        let versions = cov
            .report
            .versions
            .iter()
            .map(|v| {
                let (decided, total) = v.to_cover();
                VersionLine {
                    name: &v.name,
                    version: &v.version,
                    documents: v.documents,
                    decided,
                    total,
                    percent: testing::percent(decided, total),
                    meets_minimum: cov.min.map(|_| cov.meets(v)),
                    rules: &v.rules,
                }
            })
            .collect();
        line(out, &CoverageLine { coverage: versions })?;
    }
    let c = report.counts();
    line(
        out,
        &SummaryLine {
            summary: Totals {
                passed: c.passed,
                failed: c.failed,
                errors: c.errors,
            },
        },
    )
}

/// The line of a `file:line:col` location, 0 when it names the file alone.
fn line_of(location: &str, file: &str) -> usize {
    let rest = location.strip_prefix(file).unwrap_or("");
    let line = rest.trim_start_matches(':').split(':').next();
    line.and_then(|l| l.parse().ok()).unwrap_or(0)
}

/// One JSON value on a line of its own.
fn line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}
