//! `proviso test`: run the policies' test files and report each failing case, as text, JSON Lines or JUnit XML.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use proviso::testing::{self, CaseResult, Counts, Report};
use proviso::PolicySet;
use serde::Serialize;

use super::escape::Shown;
use super::{
    check::report_load_error, junit, output, render, EXIT_DOCUMENT, EXIT_OK, EXIT_POLICY,
    EXIT_TEST_FAILED,
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
    let report = testing::run(&set, &found.tests);
    diagnostics(&report);
    let mut out = output::stdout();
    let written = match args.format {
        TestFormat::Text => text(&mut out, &report),
        TestFormat::Json => json(&mut out, &report),
        TestFormat::Junit => junit::write(&mut out, &report),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        return output::stdout_failed(&e);
    }
    let c = report.counts();
    if c.errors > 0 {
        EXIT_DOCUMENT
    } else if c.failed > 0 {
        EXIT_TEST_FAILED
    } else {
        EXIT_OK
    }
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
/// then the summary.
fn text(out: &mut impl Write, report: &Report) -> io::Result<()> {
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
fn json(out: &mut impl Write, report: &Report) -> io::Result<()> {
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
