//! A test report as JUnit XML, which CI systems read: one `testsuite` per test file.

use std::fmt::Write as _;
use std::io::{self, Write};

use proviso::internals::testing::{CaseResult, Report};

use super::test::{coverage_line, undecided_lines, Cov};

/// Writes the report as a JUnit XML document. With rule coverage, a last `testsuite`
/// named `rule coverage` has a `testcase` per policy version, failed when the version is
/// below the minimum asked for.
pub fn write(out: &mut impl Write, report: &Report, cov: Option<&Cov<'_>>) -> io::Result<()> {
    let c = report.counts();
    let versions = cov.map_or(&[][..], |c| &c.report.versions[..]);
    let below = versions
        .iter()
        .filter(|v| cov.is_some_and(|c| !c.meets(v)))
        .count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"proviso test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        c.passed + c.failed + c.errors + versions.len(),
        c.failed + below,
        c.errors
    );
    for file in &report.files {
        let path = attr(&file.path);
        let cases = match &file.cases {
            Err(e) => {
                let _ = writeln!(
                    xml,
                    "  <testsuite name=\"{path}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    \
                     <testcase name=\"(test file)\" classname=\"{path}\" file=\"{path}\">\n      \
                     <error message=\"{}\" type=\"test file\">{}: {}</error>\n    \
                     </testcase>\n  </testsuite>",
                    attr(&e.message()),
                    text(&e.location()),
                    text(&e.message()),
                );
                continue;
            }
            Ok(cases) => cases,
        };
        let failures = cases
            .iter()
            .filter(|c| matches!(c.result, CaseResult::Failed(..)))
            .count();
        let errors = cases
            .iter()
            .filter(|c| matches!(c.result, CaseResult::Error(_)))
            .count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
            cases.len()
        );
        for case in cases {
            let head = format!(
                "    <testcase name=\"{}\" classname=\"{path}\" file=\"{path}\" line=\"{}\"",
                attr(&case.name),
                case.line
            );
            match &case.result {
                CaseResult::Passed(_) => {
                    let _ = writeln!(xml, "{head}/>");
                }
                CaseResult::Failed(d, differences) => {
                    let messages: Vec<&str> =
                        differences.iter().map(|d| d.message.as_str()).collect();
                    let mut body = messages.join("\n");
                    for r in &d.reasons {
                        let _ = write!(body, "\nbecause {} ({}) \"{}\"", r.rule, r.kind, r.text);
                    }
                    let _ = writeln!(
                        xml,
                        "{head}>\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>",
                        attr(&messages.join("; ")),
                        text(&body)
                    );
                }
                CaseResult::Error(e) => {
                    let _ = writeln!(
                        xml,
                        "{head}>\n      <error message=\"{}\" type=\"document\">{}</error>\n    </testcase>",
                        attr(&e.message()),
                        text(&e.message())
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    if let Some(cov) = cov {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"rule coverage\" tests=\"{}\" failures=\"{below}\" errors=\"0\">",
            versions.len()
        );
        for v in versions {
            let head = format!(
                "    <testcase name=\"{} {}\" classname=\"rule coverage\"",
                attr(&v.name),
                attr(&v.version)
            );
            let mut body = coverage_line(v);
            for line in undecided_lines(v) {
                body.push('\n');
                body.push_str(&line);
            }
            match cov.min {
                Some(min) if !cov.meets(v) => {
                    let _ = writeln!(
                        xml,
                        "{head}>\n      <failure message=\"{}, below the minimum of {min}%\" type=\"coverage\">{}</failure>\n    </testcase>",
                        attr(&coverage_line(v)),
                        text(&body)
                    );
                }
                _ => {
                    let _ = writeln!(
                        xml,
                        "{head}>\n      <system-out>{}</system-out>\n    </testcase>",
                        text(&body)
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())
}

/// Whether XML 1.0 allows the character at all (even as a reference).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Text content: markup characters as entities, characters XML cannot hold as `\u{..}`.
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value (in double quotes): as [`text`], and quotes and line breaks as
/// references, so that they survive attribute normalisation.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' | '\r' | '\t' if attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\r' => out.push_str("&#13;"),
            c if !allowed(c) => {
                let _ = write!(out, "{}", c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}
