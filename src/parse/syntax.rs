//! Syntax errors: pest's failure becomes one diagnostic that names what was found, what
//! was expected, and (where it can tell) what to do.

use super::Rule;
use crate::diagnostic::PolicyError;
use crate::span::{Source, Span};

fn describe(which: &Rule) -> String {
    let s = format!("{which:?}");
    if let Some(kw) = s.strip_prefix("kw_") {
        return format!("`{kw}`");
    }
    match which {
        Rule::EOI => "end of file".into(),
        Rule::ident => "a name".into(),
        Rule::string => "a string".into(),
        Rule::date_lit => "a date (YYYY-MM-DD)".into(),
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::postfix => "an expression".into(),
        Rule::cmp_op => "a comparison".into(),
        Rule::add_op | Rule::mul_op => "an operator".into(),
        Rule::scalar_type | Rule::type_expr => "a type".into(),
        Rule::rule_kind => "a rule (coverage, exclusion, referral, evidence, supporting, compensation, \
                             deadline, priority, note, appeal, refusal, refund, deduction, fallback)"
            .into(),
        Rule::field_decl => "a field declaration".into(),
        Rule::time_unit => "`days` or `hours`".into(),
        Rule::alternative | Rule::kind_alt | Rule::fact_alt => "an evidence kind".into(),
        Rule::path => "a name".into(),
        Rule::band | Rule::band_first | Rule::band_middle | Rule::band_last => {
            "a table row (`up to N: ...`, `over N up to M: ...`, `over N: ...`)".into()
        }
        other => format!("{other:?}").replace('_', " "),
    }
}

/// The words the grammar reserves (`reserved` in `grammar/proviso.pest`): never names.
pub const RESERVED: [&str; 25] = [
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
    "cap",
    "floor",
    "requires",
    "by",
    "doc",
    "from",
    "default",
    "shows",
];

/// Keywords that must be followed by an expression.
const EXPR_KEYWORDS: [&str; 13] = [
    "when", "pays", "by", "at", "default", "if", "then", "else", "where", "and", "or", "not",
    "shows",
];

/// The token at `at`: a word, a run of operator characters, or one other character.
fn token(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let op = |c: char| "=!<>+-*/".contains(c);
    let len = match rest.chars().next() {
        None => 0,
        Some(c) if word(c) => rest.find(|c| !word(c)).unwrap_or(rest.len()),
        Some(c) if op(c) => rest.find(|c| !op(c)).unwrap_or(rest.len()),
        Some(c) => c.len_utf8(),
    };
    rest.get(..len).unwrap_or("")
}

/// The last word before `at`, skipping whitespace and comments.
fn word_before(text: &str, at: usize) -> &str {
    let mut before = text.get(..at).unwrap_or("");
    loop {
        let trimmed = before.trim_end();
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        match trimmed.get(line_start..).and_then(|l| l.find('#')) {
            Some(hash) => before = trimmed.get(..line_start + hash).unwrap_or(""),
            None => {
                before = trimmed;
                break;
            }
        }
    }
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    before.get(start..).unwrap_or("")
}

pub(super) fn syntax_error(file: &Source, e: pest::error::Error<Rule>) -> PolicyError {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((a, b)) => (a, b),
    };
    let found = token(&file.text, start);
    let end = if end > start {
        end
    } else {
        start + found.len()
    };
    let mut span = Span::new(start, end.min(file.text.len()));
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().map(describe).collect();
            names.sort();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    let message = if file.text.trim().is_empty() {
        "the file holds no policy".to_string()
    } else if found.is_empty() {
        "unexpected end of file".to_string()
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
        1 => format!("expected {}", expected[0]),
        _ => format!("expected one of {}", expected.join(", ")),
    };
    if found.is_empty() {
        // Nothing to underline at the end: show the last thing written instead.
        let last = file.text.get(..start).unwrap_or("").trim_end();
        let len = last.chars().next_back().map_or(0, char::len_utf8);
        span = Span::new(last.len() - len, last.len());
        if !last.is_empty() {
            label.push_str(" after this");
        }
    }
    let mut err = PolicyError::new(file, span, message, label);
    let wants_expr = expected.iter().any(|x| x == "an expression");
    let wants_name = expected.iter().any(|x| x == "a name");
    let before = word_before(&file.text, start);
    let clause_word = [
        "doc", "when", "pays", "reduce", "cap", "floor", "requires", "by",
    ];
    if file.text.trim().is_empty() {
        err = err.with_help("a policy file starts with `policy \"owner/name\"`");
    } else if found == "\"" {
        err = err.with_help("this string is never closed: end it with `\"`");
    } else if wants_expr && EXPR_KEYWORDS.contains(&before) {
        err = err.with_help(format!("write an expression after `{before}`"));
    } else if wants_expr && clause_word.contains(&found) {
        err = err.with_help(format!("the expression before `{found}` is incomplete"));
    } else if (wants_name || wants_expr) && RESERVED.contains(&found) {
        err = err.with_help(format!(
            "`{found}` is a reserved word and cannot be used as a name"
        ));
    }
    err
}
