//! What the compliance report shows, gathered from a policy set and its tests: every
//! version of every policy, its rules as written with their clause texts and test
//! coverage, its assumptions, its dates in force, and what changed from the version before.

use std::path::PathBuf;
use std::sync::Arc;

use crate::ast::PolicyFile;
use crate::compile::Program;
use crate::coverage::{self, RuleCoverage, VersionReport};
use crate::diagnostic::PolicyErrors;
use crate::policy_set::{LoadError, PolicySet};
use crate::testing::{self, Counts};
use crate::version::VersionInfo;

use super::assumptions;

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct Model {
    /// Every policy, by name.
    pub policies: Vec<PolicyModel>,
    /// How the policies' test cases went; `None` when no test file was found.
    pub tests: Option<Counts>,
}

/// One policy and all its versions, oldest first.
#[derive(Clone, Debug)]
pub struct PolicyModel {
    pub name: Arc<str>,
    pub versions: Vec<VersionModel>,
}

/// One version of a policy.
#[derive(Clone, Debug)]
pub struct VersionModel {
    pub info: VersionInfo,
    /// The policy's own `doc`.
    pub doc: Arc<str>,
    pub currency: Arc<str>,
    /// Every rule, in file order.
    pub rules: Vec<RuleModel>,
    /// Every table, in file order.
    pub tables: Vec<TableModel>,
    /// Every holiday calendar, in file order, shown as tables are.
    pub calendars: Vec<TableModel>,
    /// The "Assumed:" passages of the policy's `doc`, its rules' and its tables' texts.
    pub assumptions: Vec<Assumption>,
    /// What the test cases cover of this version; `None` when no test case decided it.
    pub coverage: Option<CoverageSummary>,
    /// What changed from the version before, when there is one.
    pub diff: Option<VersionDiff>,
}

/// How much of a version its test cases cover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageSummary {
    /// Test cases this version decided.
    pub documents: usize,
    /// Rules some case made decide, and the rules to cover (all but exempt ones no case
    /// made decide).
    pub decided: usize,
    pub total: usize,
    /// `decided` of `total`, in percent to a tenth, rounded down (`proviso test --coverage`).
    pub percent: String,
}

/// One rule: its clause text beside its source as written.
#[derive(Clone, Debug)]
pub struct RuleModel {
    pub name: Arc<str>,
    pub kind: &'static str,
    /// The clause text, with quoted constants filled in, as decisions quote it.
    pub text: Arc<str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
    /// The rule as written in the policy file.
    pub code: String,
    pub mark: Mark,
}

/// What the tests say of one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// No test case decided this version.
    NoTests,
    /// Some test cases made the rule decide (or contribute to the decision); `one_sided`
    /// says whether its condition was seen only to hold (`Some(true)`) or only not to
    /// (`Some(false)`).
    Covered {
        cases: usize,
        one_sided: Option<bool>,
    },
    /// Exempt from coverage (`# allow(uncovered): why`), and no case made it decide.
    Exempt(Arc<str>),
    /// No test case made the rule decide.
    NotCovered,
}

/// A banded lookup table: its clause text beside its rows as written.
#[derive(Clone, Debug)]
pub struct TableModel {
    pub name: String,
    pub text: String,
    pub source: String,
    pub code: String,
}

/// An "Assumed:" passage, and the rule or table whose text holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumption {
    /// From "Assumed:" to the end of the text or the next "Assumed:".
    pub text: String,
    /// The rule or table, `None` for the policy's own `doc`.
    pub item: Option<Item>,
}

/// A rule or a table that an assumption belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    /// The rule's kind, or `table`.
    pub kind: String,
}

/// What changed from the version before, as `proviso diff` prints it.
#[derive(Clone, Debug)]
pub struct VersionDiff {
    pub previous: VersionInfo,
    /// The changes, as lines of text (see [`crate::diff_text::text`]).
    pub text: String,
    /// `3 changes, besides the version label and dates`.
    pub summary: String,
}

/// Loads the policies under `paths` (as `proviso check` does), runs the test files found
/// with them (as `proviso test` does) for their rule coverage, and gathers the report.
pub fn gather(paths: &[PathBuf]) -> Result<Model, LoadError> {
    let set = PolicySet::load_all(paths)?;
    let found = testing::find(paths);
    let (tests, covered) = if found.tests.is_empty() {
        (
            None,
            coverage::Report {
                versions: Vec::new(),
            },
        )
    } else {
        let (report, covered) = testing::run_with_coverage(&set, &found.tests);
        (Some(report.counts()), covered)
    };
    let mut policies: Vec<PolicyModel> = Vec::new();
    let programs: Vec<&Program> = set.versions().collect();
    let mut previous: Option<(&Program, PolicyFile)> = None;
    for &program in &programs {
        let name = &program.meta.name;
        let ast = crate::parse::parse_file(&program.meta.file).map_err(PolicyErrors::from)?;
        let report = covered
            .versions
            .iter()
            .find(|v| v.name == *name && v.version == program.meta.version)
            .filter(|v| v.documents > 0);
        let mut version = version(program, &ast, report);
        if let Some((old, old_ast)) = previous.as_ref().filter(|(p, _)| p.meta.name == *name) {
            let mut d = crate::diff::diff(old_ast, &ast);
            d.hook_scripts = crate::diff::scripts(&old.hooks, &program.hooks);
            version.diff = Some(VersionDiff {
                previous: VersionInfo::of(old),
                text: crate::diff_text::text(&d),
                summary: crate::diff_text::summary(&d),
            });
        }
        match policies.last_mut() {
            Some(p) if p.name == *name => p.versions.push(version),
            _ => policies.push(PolicyModel {
                name: name.clone(),
                versions: vec![version],
            }),
        }
        previous = Some((program, ast));
    }
    Ok(Model { policies, tests })
}

/// One version: its rules and tables beside their texts, assumptions, dates and coverage.
fn version(program: &Program, ast: &PolicyFile, report: Option<&VersionReport>) -> VersionModel {
    let m = &program.meta;
    let file = &m.file;
    let as_written = |span: crate::span::Span| {
        file.text
            .get(span.start..span.end)
            .unwrap_or("")
            .trim_end()
            .to_string()
    };
    let rules: Vec<RuleModel> = program
        .rules
        .iter()
        .map(|rule| {
            let code = ast
                .rules
                .iter()
                .find(|r| r.name.name == *rule.name)
                .map(|r| as_written(r.span))
                .unwrap_or_default();
            let covered = report.and_then(|v| v.rules.iter().find(|r| r.rule == rule.name));
            RuleModel {
                name: rule.name.clone(),
                kind: rule.kind.as_str(),
                text: rule.text.clone(),
                source: rule.source.clone(),
                code,
                mark: report.map_or(Mark::NoTests, |_| mark(covered)),
            }
        })
        .collect();
    let tables: Vec<TableModel> = ast
        .tables
        .iter()
        .map(|t| TableModel {
            name: t.name.name.clone(),
            text: t.doc.value.clone(),
            source: file.location(t.span),
            code: as_written(t.span),
        })
        .collect();
    let calendars: Vec<TableModel> = ast
        .calendars
        .iter()
        .map(|c| TableModel {
            name: c.name.name.clone(),
            text: c.doc.value.clone(),
            source: file.location(c.span),
            code: as_written(c.span),
        })
        .collect();
    let mut found = Vec::new();
    for text in assumptions::passages(&m.doc) {
        found.push(Assumption { text, item: None });
    }
    let items = rules
        .iter()
        .map(|r| (r.name.to_string(), r.kind.to_string(), r.text.as_ref()))
        .chain(
            tables
                .iter()
                .map(|t| (t.name.clone(), "table".into(), t.text.as_str())),
        );
    for (name, kind, text) in items {
        for passage in assumptions::passages(text) {
            found.push(Assumption {
                text: passage,
                item: Some(Item {
                    name: name.clone(),
                    kind: kind.clone(),
                }),
            });
        }
    }
    VersionModel {
        info: VersionInfo::of(program),
        doc: m.doc.clone(),
        currency: m.currency.clone(),
        rules,
        tables,
        calendars,
        assumptions: found,
        coverage: report.map(|v| {
            let (decided, total) = v.to_cover();
            CoverageSummary {
                documents: v.documents,
                decided,
                total,
                percent: testing::percent(decided, total),
            }
        }),
        diff: None,
    }
}

/// The mark of a rule of a version some test case decided.
fn mark(rule: Option<&RuleCoverage>) -> Mark {
    let Some(r) = rule else {
        return Mark::NotCovered;
    };
    match (&r.exempt, r.decided) {
        (Some(why), 0) => Mark::Exempt(why.clone()),
        (None, 0) => Mark::NotCovered,
        (_, cases) => Mark::Covered {
            cases,
            one_sided: (r.condition && (r.seen_true > 0) != (r.seen_false > 0))
                .then_some(r.seen_true > 0),
        },
    }
}
