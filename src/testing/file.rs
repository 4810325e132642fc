//! Test files read into cases: every key known, every value checked, each error located.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::tree::{self, Kind, Node};
use super::{Case, CaseDocument, Expectation, Money, TestFile, TestFileError};
use crate::diagnostic::PolicyError;
use crate::span::{Source, Span};
use crate::Outcome;

/// The keys of a test file, of a case, and of a case's expectation.
pub const FILE_KEYS: &[&str] = &["cases"];
pub const CASE_KEYS: &[&str] = &["name", "document", "line", "at", "expect"];
pub const EXPECT_KEYS: &[&str] = &[
    "decision",
    "payout",
    "components",
    "refund",
    "reasons",
    "reasons_include",
    "missing_evidence",
    "awaiting",
    "eligible_from",
    "deadlines",
    "notes",
    "policy_version",
];

/// Reads a test file's text (`source`, named by its path) into its cases.
pub fn parse(source: &Source) -> Result<TestFile, TestFileError> {
    let root = tree::read(&source.text).map_err(|e| {
        let label = if e.span.start == 0 && e.span.end == 0 {
            "here"
        } else {
            "not accepted here"
        };
        let e = invalid(source, e.span, e.message, label).with_help(
            "a test file is a YAML mapping with `cases:`, a list of cases with `name`, \
             `document` and `expect`",
        );
        TestFileError::Invalid(Box::new(e))
    })?;
    let r = Reader { source };
    let fields = r.mapping(&root, "the test file", FILE_KEYS)?;
    let cases_node = r.required(&fields, &root, "cases", "the test file")?;
    let Kind::List(items) = &cases_node.kind else {
        return Err(r.expected(cases_node, "a list of cases"));
    };
    if items.is_empty() {
        return Err(r
            .error(cases_node, "the test file holds no case", "no case here")
            .with_help("add a case: `- name: ...`, `document: ...`, `expect: {decision: ...}`"));
    }
    let mut cases: Vec<Case> = Vec::with_capacity(items.len());
    for item in items {
        let case = r.case(item)?;
        if let Some(first) = cases.iter().find(|c| c.name == case.name) {
            let line = first.line;
            return Err(r
                .error(
                    item,
                    format!("two cases are named `{}`", case.name),
                    "second case of that name",
                )
                .with_help(format!(
                    "the other is at line {line}; give each case its own name"
                )));
        }
        cases.push(case);
    }
    Ok(TestFile {
        path: source.name.clone(),
        source: source.clone(),
        cases,
    })
}

fn invalid(source: &Source, span: Span, message: String, label: &str) -> PolicyError {
    PolicyError::new(source, span, message, label)
}

/// Reads nodes of one test file, with errors pointing into it.
struct Reader<'s> {
    source: &'s Source,
}

type Fields<'n> = Vec<(&'n str, &'n Node, &'n Node)>;

impl Reader<'_> {
    fn error(&self, node: &Node, message: impl Into<String>, label: &str) -> TestFileError {
        TestFileError::Invalid(Box::new(invalid(
            self.source,
            shown_span(node),
            message.into(),
            label,
        )))
    }

    fn expected(&self, node: &Node, what: &str) -> TestFileError {
        self.error(
            node,
            format!("expected {what}, found {}", node.what()),
            "not accepted here",
        )
    }

    /// The keys and values of a mapping, each key one of `known` and given once.
    fn mapping<'n>(
        &self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Result<Fields<'n>, TestFileError> {
        let Kind::Map(pairs) = &node.kind else {
            return Err(self.expected(node, &format!("a mapping for {what}")));
        };
        let mut out: Fields<'n> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let name = match &key.kind {
                Kind::Scalar { text, .. } => text.as_str(),
                _ => "",
            };
            if !known.contains(&name) {
                return Err(self.unknown(key, name, what, known));
            }
            if let Some((_, first, _)) = out.iter().find(|(n, _, _)| *n == name) {
                let (line, col) = self.source.line_col(first.span.start);
                return Err(self
                    .error(
                        key,
                        format!("`{name}` is given twice in {what} (first at {line}:{col})"),
                        "given again here",
                    )
                    .with_help("give it once"));
            }
            out.push((name, key, value));
        }
        Ok(out)
    }

    fn unknown(&self, key: &Node, name: &str, what: &str, known: &[&str]) -> TestFileError {
        let help = if known == CASE_KEYS && EXPECT_KEYS.contains(&name) {
            format!("what a case expects goes under `expect:` (`expect: {{{name}: ...}}`)")
        } else {
            match crate::check::suggest(name, known) {
                Some(s) => format!("did you mean `{s}`? {what} takes {}", keys(known)),
                None => format!("{what} takes {}", keys(known)),
            }
        };
        self.error(
            key,
            format!("unknown key `{name}` in {what}"),
            "not a known key",
        )
        .with_help(help)
    }

    fn required<'n>(
        &self,
        fields: &Fields<'n>,
        parent: &Node,
        name: &str,
        what: &str,
    ) -> Result<&'n Node, TestFileError> {
        match fields.iter().find(|(n, _, _)| *n == name) {
            Some((_, _, value)) => Ok(value),
            None => Err(self
                .error(
                    parent,
                    format!("{what} has no `{name}`"),
                    &format!("`{name}` is missing"),
                )
                .with_help(format!("add `{name}:`"))),
        }
    }

    fn string<'n>(&self, node: &'n Node, what: &str) -> Result<&'n str, TestFileError> {
        node.scalar()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| self.expected(node, what))
    }

    /// A list of names; `what` says what it lists, for its error.
    fn names(&self, node: &Node, what: &str) -> Result<Vec<String>, TestFileError> {
        let Kind::List(items) = &node.kind else {
            return Err(self.expected(node, what));
        };
        items
            .iter()
            .map(|n| self.string(n, "a name").map(str::to_string))
            .collect()
    }

    fn case(&self, node: &Node) -> Result<Case, TestFileError> {
        let fields = self.mapping(node, "a case", CASE_KEYS)?;
        let name = self.required(&fields, node, "name", "the case")?;
        let name = self.string(name, "the case's name")?.to_string();
        let document = self.required(&fields, node, "document", "the case")?;
        let document = self.document(document)?;
        let mut case = Case {
            name,
            line: node.line,
            document,
            at: None,
            expect: Expectation::default(),
        };
        for (key, _, value) in &fields {
            match *key {
                "at" => {
                    let text = self.string(value, "a date (YYYY-MM-DD)")?;
                    let date = crate::document::parse_date(text).ok_or_else(|| {
                        self.expected(value, "a date (YYYY-MM-DD), like 2025-06-01")
                    })?;
                    case.at = Some(date);
                }
                "expect" => case.expect = self.expectation(value)?,
                "line" => self.document_line(&mut case.document, value)?,
                _ => {}
            }
        }
        if !fields.iter().any(|(k, _, _)| *k == "expect") {
            self.required(&fields, node, "expect", "the case")?;
        }
        Ok(case)
    }

    fn document(&self, node: &Node) -> Result<CaseDocument, TestFileError> {
        match &node.kind {
            Kind::Map(_) => {
                let text = self.source.text.get(node.span.start..node.span.end);
                let text = text.unwrap_or_default();
                // The text as written, after as many spaces as the columns before it: a
                // diagnostic on the document names the test file's lines and columns.
                let text = format!("{}{text}", " ".repeat(node.col));
                Ok(CaseDocument::Inline {
                    text,
                    line: node.line,
                })
            }
            _ => {
                let path = self.string(
                    node,
                    "a document: a path to a YAML or JSON file, or a mapping written in place",
                )?;
                let dir = Path::new(self.source.name.as_ref())
                    .parent()
                    .unwrap_or(Path::new(""));
                let joined = dir.join(path);
                Ok(CaseDocument::File {
                    shown: tidy(&joined),
                    path: joined,
                    span: node.span,
                    line: None,
                })
            }
        }
    }

    /// `line: N`: the case's document is line N of a JSON Lines file.
    fn document_line(&self, document: &mut CaseDocument, node: &Node) -> Result<(), TestFileError> {
        let what = "a line number (1 or more) of the JSON Lines file named by `document`";
        let n = self
            .string(node, what)?
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| self.expected(node, what))?;
        match document {
            CaseDocument::File { path, line, .. } if json_lines(path) => {
                *line = Some(n);
                Ok(())
            }
            _ => Err(self
                .error(
                    node,
                    "`line` picks a line of a JSON Lines document",
                    "no JSON Lines here",
                )
                .with_help(
                    "give `line` only with a `document` ending in `.jsonl` or `.ndjson`, or \
                     remove it",
                )),
        }
    }

    fn expectation(&self, node: &Node) -> Result<Expectation, TestFileError> {
        let fields = self.mapping(node, "`expect`", EXPECT_KEYS)?;
        let decision = self.required(&fields, node, "decision", "`expect`")?;
        let mut e = Expectation {
            decision: self.outcome(decision)?,
            ..Expectation::default()
        };
        for (key, _, value) in &fields {
            match *key {
                "payout" => e.payout = Some(self.money(value)?),
                "components" => e.components = self.components(value)?,
                "refund" => e.refund = Some(self.money(value)?),
                "reasons" => e.reasons = Some(self.names(value, RULE_NAMES)?),
                "reasons_include" => e.reasons_include = Some(self.names(value, RULE_NAMES)?),
                "missing_evidence" => e.missing_evidence = Some(self.names(value, RULE_NAMES)?),
                "awaiting" => {
                    let what = "a list of assessed inputs, like `[assessment.share]`";
                    e.awaiting = Some(self.names(value, what)?);
                }
                "eligible_from" => {
                    let what = "a date (YYYY-MM-DD), an instant (RFC 3339, like \
                                2025-07-11T09:30:00Z), or null for a decision without one";
                    e.eligible_from = Some(self.moment(value, what)?);
                }
                "policy_version" => {
                    e.policy_version = Some(self.string(value, "a version label")?.to_string());
                }
                "deadlines" => {
                    let what = "a mapping of deadline names to dates";
                    e.deadlines = self.named(value, "deadline", what, |v| {
                        self.moment(
                            v,
                            "a date (YYYY-MM-DD), an instant (RFC 3339, like \
                             2025-07-11T09:30:00Z), or null for a deadline that does not apply",
                        )
                    })?;
                }
                "notes" => {
                    let what = "a mapping of note names to values";
                    e.notes = self.named(value, "note", what, |v| self.note(v))?;
                }
                _ => {}
            }
        }
        Ok(e)
    }

    fn outcome(&self, node: &Node) -> Result<Outcome, TestFileError> {
        const OUTCOMES: [Outcome; 4] = [
            Outcome::Approved,
            Outcome::Denied,
            Outcome::Incomplete,
            Outcome::Referred,
        ];
        let what = "a decision: approved, denied, incomplete or referred";
        let text = self.string(node, what)?;
        if let Some(o) = OUTCOMES.into_iter().find(|o| o.as_str() == text) {
            return Ok(o);
        }
        let names = OUTCOMES.map(Outcome::as_str);
        let err = self.expected(node, what);
        Err(match crate::check::suggest(text, &names) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None => err,
        })
    }

    fn money(&self, node: &Node) -> Result<Money, TestFileError> {
        let what = "an amount in whole cents, like \"44.00\" or \"44.00 USD\"";
        let text = self.string(node, what)?;
        let mut words = text.split_whitespace();
        let (amount, currency) = (words.next().unwrap_or(""), words.next());
        let plain = {
            let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !amount.ends_with('.')
        };
        let amount = Decimal::from_str(amount)
            .ok()
            .filter(|d| plain && d.normalize().scale() <= 2);
        match (amount, words.next()) {
            (Some(amount), None) => Ok(Money {
                amount,
                currency: currency.map(str::to_string),
            }),
            _ => Err(self.expected(node, what)),
        }
    }

    /// A mapping of names (deadlines, notes, components) to values, each name given once.
    fn named<T>(
        &self,
        node: &Node,
        kind: &str,
        what: &str,
        value: impl Fn(&Node) -> Result<T, TestFileError>,
    ) -> Result<Vec<(String, T)>, TestFileError> {
        let Kind::Map(pairs) = &node.kind else {
            return Err(self.expected(node, what));
        };
        let mut out: Vec<(String, T)> = Vec::with_capacity(pairs.len());
        let mut seen: Vec<&Node> = Vec::with_capacity(pairs.len());
        for (key, v) in pairs {
            let name = self.string(key, &format!("a {kind} name"))?;
            if let Some(first) = seen.iter().find(|k| k.scalar() == Some(name)) {
                let (line, col) = self.source.line_col(first.span.start);
                return Err(self
                    .error(
                        key,
                        format!("{kind} `{name}` is given twice (first at {line}:{col})"),
                        "given again here",
                    )
                    .with_help("give it once"));
            }
            let v = value(v)?;
            seen.push(key);
            out.push((name.to_string(), v));
        }
        Ok(out)
    }

    /// A date or an instant as written, or `None` for null.
    fn moment(&self, node: &Node, what: &str) -> Result<Option<String>, TestFileError> {
        if node.is_null() {
            return Ok(None);
        }
        let text = self.string(node, what)?;
        let valid = crate::document::parse_date(text).is_some()
            || crate::document::parse_instant(text).is_some();
        if !valid {
            return Err(self.expected(node, what));
        }
        Ok(Some(text.to_string()))
    }

    /// A note's value as written, or `None` for null.
    fn note(&self, node: &Node) -> Result<Option<String>, TestFileError> {
        match &node.kind {
            _ if node.is_null() => Ok(None),
            Kind::Scalar { text, .. } => Ok(Some(text.clone())),
            _ => Err(self.expected(
                node,
                "a note's value as the decision shows it (`cash`, `71.40`), or null for a note \
                 that does not apply",
            )),
        }
    }

    /// Payout components' names to their amounts.
    fn components(&self, node: &Node) -> Result<Vec<(String, Money)>, TestFileError> {
        let what = "a mapping of payout component names to amounts, like {cash: \"10.00\"}";
        self.named(node, "component", what, |v| self.money(v))
    }
}

/// What `reasons`, `reasons_include` and `missing_evidence` hold.
const RULE_NAMES: &str = "a list of rule or requirement names, like `[a, b]`";

/// Where to underline a node: a mapping or list from its start to the end of its first
/// line, as a block one's span runs on to the next node.
fn shown_span(node: &Node) -> Span {
    match node.kind {
        Kind::Scalar { .. } => node.span,
        _ => Span::new(node.span.start, node.span.start),
    }
}

/// Whether a document file holds JSON Lines (by its name, as `proviso eval` reads it).
pub fn json_lines(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x == "jsonl" || x == "ndjson")
}

/// `a`, `b` and `c`, quoted.
fn keys(known: &[&str]) -> String {
    let quoted: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// A path without `.` parts, and `dir/..` pairs folded, for showing (the file opened is
/// the path as joined).
fn tidy(path: &Path) -> String {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let tidy: PathBuf = parts.iter().collect();
    tidy.display().to_string()
}
