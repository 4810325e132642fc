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

/// The end of the last token before `at`, skipping whitespace and comments.
fn end_before(text: &str, at: usize) -> usize {
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

/// The last word before `at`, skipping whitespace and comments.
fn word_before(text: &str, at: usize) -> &str {
    let before = text.get(..end_before(text, at)).unwrap_or("");
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    before.get(start..).unwrap_or("")
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
    if let Some(err) = missing_comma(file, start, furthest) {
        return err;
    }
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
    let message = if blank(&file.text) {
        "the file holds no policy".to_string()
    } else if found.is_empty() {
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
    if blank(&file.text) {
        err = err.with_help("a policy file starts with `policy \"owner/name\"`");
    } else if invisible(found).is_some() {
        err = err.with_help("delete it: it does not show in most editors, and is easily pasted in");
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
