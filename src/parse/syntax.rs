//! Syntax errors: pest's failure becomes one diagnostic that says what is wrong in words,
//! what was expected (summarised when the list is long), and, where it can tell, what to
//! write instead (the hints are in `hints.rs`).

use super::hints;
use super::Rule;
use crate::diagnostic::PolicyError;
use crate::span::{Source, Span};

/// The words the grammar reserves (`reserved` in `grammar/proviso.pest`): never names.
pub const RESERVED: [&str; 20] = [
    "and",
    "or",
    "not",
    "in",
    "is",
    "present",
    "absent",
    "if",
    "then",
    "else",
    "otherwise",
    "where",
    "true",
    "false",
    "when",
    "pays",
    "reduce",
    "requires",
    "doc",
    "shows",
];

/// Where a parse failed: the text, the token found there, and the rules pest tried.
pub(super) struct Spot<'a> {
    pub file: &'a Source,
    pub text: &'a str,
    pub start: usize,
    pub found: &'a str,
    pub expected: &'a [Rule],
}

impl Spot<'_> {
    pub fn wants(&self, which: Rule) -> bool {
        self.expected.contains(&which)
    }

    /// Whether an expression could start here.
    pub fn wants_expr(&self) -> bool {
        self.expected.iter().any(|r| group(*r) == Group::Expression)
    }

    /// Whether a name could stand here.
    pub fn wants_name(&self) -> bool {
        self.wants(Rule::ident) || self.wants(Rule::path)
    }

    /// The span of the token found.
    pub fn span(&self) -> Span {
        Span::new(self.start, self.start + self.found.len())
    }

    pub fn error(
        &self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> PolicyError {
        PolicyError::new(self.file, span, message, label)
    }
}

/// What a rule pest expected stands for, for summaries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Something that continues an expression: `and`, `==`, `+`, `otherwise`...
    Operator,
    /// A clause of a rule: `when`, `pays`, `cap`...
    Clause,
    /// A line of the header: `version`, `effective`...
    Header,
    /// What starts an item: a rule kind, `let`, `facts`..., or the end of the file.
    Item,
    /// The start of an expression.
    Expression,
    /// Anything else, described on its own.
    Other,
}

fn group(which: Rule) -> Group {
    use Rule::*;
    match which {
        kw_and | kw_or | kw_is | kw_otherwise | kw_in | not_in | cmp_op | add_op | mul_op => {
            Group::Operator
        }
        kw_when | kw_pays | kw_reduce | kw_cap | kw_floor | kw_add | kw_as | kw_requires
        | kw_by | kw_shows | kw_doc | kw_eligible => Group::Clause,
        kw_version | kw_effective | kw_until | kw_currency => Group::Header,
        kw_const | kw_let | kw_facts | kw_evidence | kw_table | kw_hook | kw_calendar
        | rule_kind | EOI => Group::Item,
        expr | or_expr | and_expr | not_expr | cmp_expr | add_expr | mul_expr | unary | postfix
        | duration | number | percent | percent_of | bool_lit | date_lit | if_expr | aggregate
        | selection | call | list_lit | paren | neg => Group::Expression,
        _ => Group::Other,
    }
}

/// One rule described in words.
fn describe(which: Rule) -> String {
    let s = format!("{which:?}");
    if let Some(kw) = s.strip_prefix("kw_") {
        return format!("`{kw}`");
    }
    match which {
        Rule::EOI => "end of file".into(),
        Rule::ident | Rule::path => "a name".into(),
        Rule::string => "a string".into(),
        Rule::date_lit => "a date (YYYY-MM-DD)".into(),
        Rule::cmp_op => "a comparison".into(),
        Rule::add_op | Rule::mul_op => "an operator".into(),
        Rule::scalar_type | Rule::type_expr => "a type".into(),
        Rule::rule_kind => "a rule such as `coverage` or `exclusion`".into(),
        Rule::field_decl => "a field declaration (`name: type`)".into(),
        Rule::time_unit => "`days`, `hours`, `months` or `years`".into(),
        Rule::alternative | Rule::kind_alt | Rule::fact_alt => "an evidence kind".into(),
        Rule::band | Rule::band_lower | Rule::band_upper => {
            "a table row (`up to N: ...`, `over N up to M: ...`, `over N: ...`, or with `from` and `under`)".into()
        }
        r if group(r) == Group::Expression => "an expression".into(),
        other => format!("{other:?}").replace('_', " "),
    }
}

/// Most things a label lists one by one; more are summarised by kind.
const MAX_ITEMISED: usize = 4;

/// What was expected, in a few words: short lists whole, long ones by kind ("an operator,
/// another clause or the next rule") rather than every keyword.
pub(super) fn summary(expected: &[Rule]) -> Vec<String> {
    let mut each: Vec<String> = expected.iter().map(|r| describe(*r)).collect();
    each.sort();
    each.dedup();
    if each.len() <= MAX_ITEMISED {
        return each;
    }
    let has = |g: Group| expected.iter().any(|r| group(*r) == g);
    let mut out = Vec::new();
    if has(Group::Expression) {
        out.push("an expression".to_string());
    }
    if has(Group::Operator) {
        out.push("an operator".to_string());
    }
    if has(Group::Header) {
        out.push("a header line (`version`, `effective`, `until`, `currency`, `doc`)".to_string());
    } else if has(Group::Clause) {
        out.push("another clause (`when`, `pays`, ...)".to_string());
    }
    if has(Group::Item) {
        let sole = out.is_empty() && expected.iter().all(|r| group(*r) == Group::Item);
        out.push(if sole {
            "a rule such as `coverage`, `exclusion`, ..., or `let`, `const`, `facts`, `table`, `hook`"
        } else {
            "the next rule"
        }
        .to_string());
    }
    let mut others: Vec<String> = expected
        .iter()
        .filter(|r| group(**r) == Group::Other)
        .map(|r| describe(*r))
        .collect();
    others.sort();
    others.dedup();
    out.extend(others);
    out
}

/// `a`, `a or b`, `a, b or c`.
pub(super) fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Whether a file holds nothing but whitespace (and perhaps a byte order mark).
fn blank(text: &str) -> bool {
    text.trim_start_matches('\u{FEFF}').trim().is_empty()
}

/// A name for a character that does not show where it stands (a byte order mark, a
/// zero-width or non-breaking space), or `None` for a token that shows.
fn invisible(token: &str) -> Option<String> {
    let mut chars = token.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return None;
    };
    let code = u32::from(c);
    let name = match c {
        '\u{FEFF}' => "byte order mark",
        '\u{00A0}' | '\u{202F}' => "non-breaking space",
        '\u{200B}' => "zero-width space",
        '\u{00AD}' => "soft hyphen",
        c if c.is_whitespace() && !c.is_ascii() => "space",
        '\u{200C}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' => {
            "invisible character"
        }
        _ => return None,
    };
    Some(format!("{name} (U+{code:04X})"))
}

/// The token at `at`: a word, a run of operator characters, or one other character.
pub(super) fn token(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let op = |c: char| "=!<>+-*/&|".contains(c);
    let len = match rest.chars().next() {
        None => 0,
        Some(c) if word(c) => rest.find(|c| !word(c)).unwrap_or(rest.len()),
        Some(c) if op(c) => rest.find(|c| !op(c)).unwrap_or(rest.len()),
        Some(c) => c.len_utf8(),
    };
    rest.get(..len).unwrap_or("")
}

/// The end of the last token before `at`, skipping whitespace and comments.
pub(super) fn end_before(text: &str, at: usize) -> usize {
    let mut before = text.get(..at).unwrap_or("");
    loop {
        let trimmed = before.trim_end();
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        match trimmed.get(line_start..).and_then(|l| l.find('#')) {
            Some(hash) => before = trimmed.get(..line_start + hash).unwrap_or(""),
            None => return trimmed.len(),
        }
    }
}

/// The start of the word that ends at `end` (`end` itself when none does).
pub(super) fn word_start(text: &str, end: usize) -> usize {
    let before = text.get(..end).unwrap_or("");
    before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1)
}

/// The last word before `at`, skipping whitespace and comments ("" after a symbol).
pub(super) fn word_before(text: &str, at: usize) -> &str {
    let end = end_before(text, at);
    text.get(word_start(text, end)..end).unwrap_or("")
}

/// How far a failed parse got: the furthest position reached, and the literal tokens that
/// would have been accepted there.
pub(super) struct Furthest {
    pub at: usize,
    pub expected: Vec<String>,
}

/// The start of the next token at or after `at`, past whitespace and comments.
fn next_token(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(at) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            b'#' => {
                while bytes.get(at).is_some_and(|&b| b != b'\n') {
                    at += 1;
                }
            }
            _ => break,
        }
    }
    at
}

/// Two items with no comma between them (`enum { lost, damaged stolen }`), found where the
/// parser got furthest: reported at the gap, rather than where pest gave up.
fn missing_comma(
    file: &Source,
    reported: usize,
    furthest: Option<Furthest>,
) -> Option<PolicyError> {
    let f = furthest?;
    if f.at < reported || !f.expected.iter().any(|t| t == ",") {
        return None;
    }
    let text = &file.text;
    let next = next_token(text, f.at);
    let found = token(text, next);
    let gap = end_before(text, f.at);
    let before = word_before(text, f.at);
    let is_word = |w: &str| w.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let closes = f.expected.iter().any(|t| t == found);
    if closes || !is_word(found) || before.is_empty() || gap >= next {
        return None;
    }
    Some(
        PolicyError::new(
            file,
            Span::new(gap, gap + 1),
            format!("missing `,` between `{before}` and `{found}`"),
            "expected `,`",
        )
        .with_help("separate the items with commas"),
    )
}

pub(super) fn syntax_error(
    file: &Source,
    e: pest::error::Error<Rule>,
    furthest: Option<Furthest>,
) -> PolicyError {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((a, b)) => (a, b),
    };
    let text: &str = &file.text;
    if let Some(f) = furthest.as_ref().filter(|f| f.at >= start) {
        let at = next_token(text, f.at);
        let spot = Spot {
            file,
            text,
            start: at,
            found: token(text, at),
            expected: &[],
        };
        if let Some(err) = hints::amount(&spot) {
            return err;
        }
    }
    if let Some(err) = missing_comma(file, start, furthest) {
        return err;
    }
    let found = token(text, start);
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let spot = Spot {
        file,
        text,
        start,
        found,
        expected: &positives,
    };
    if blank(text) {
        return spot
            .error(
                Span::new(start, start),
                "the file holds no policy",
                "not expected here",
            )
            .with_help("a policy file starts with `policy \"owner/name\"`");
    }
    if invisible(found).is_none() && !found.is_empty() {
        if let Some(err) = hints::hint(&spot) {
            return err;
        }
    }
    let end = if end > start {
        end
    } else {
        start + found.len()
    };
    let mut span = Span::new(start, end.min(text.len()));
    let expected = summary(&positives);
    let message = if found.is_empty() {
        "unexpected end of file".to_string()
    } else if let Some(name) = invisible(found) {
        format!("unexpected {name}")
    } else {
        let shown: String = found
            .chars()
            .map(|c| match c {
                c if c.is_control() => c.escape_debug().to_string(),
                c => c.to_string(),
            })
            .collect();
        format!("unexpected `{shown}`")
    };
    let mut label = match expected.len() {
        0 => "not expected here".to_string(),
        _ => format!("expected {}", or_list(&expected)),
    };
    if found.is_empty() {
        // Nothing to underline at the end: show the last thing written instead.
        let last = text.get(..start).unwrap_or("").trim_end();
        let len = last.chars().next_back().map_or(0, char::len_utf8);
        span = Span::new(last.len() - len, last.len());
        if !last.is_empty() {
            label.push_str(" after this");
        }
    }
    let err = spot.error(span, message, label);
    if invisible(found).is_some() {
        err.with_help("delete it: it does not show in most editors, and is easily pasted in")
    } else if found == "\"" {
        err.with_help("this string is never closed: end it with `\"`")
    } else {
        err
    }
}
