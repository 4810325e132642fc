//! Hints for the mistakes people make when they write a policy: each says what is wrong in
//! words, underlines the mistake, and shows what to write instead (the line, fixed, when it
//! is short enough to quote).

use super::syntax::{end_before, token, word_before, word_start, Spot, RESERVED};
use super::Rule;
use crate::check::suggest;
use crate::diagnostic::PolicyError;
use crate::span::Span;

/// The specific diagnostic for the mistake at `s`, if it is one of those recognised.
pub(super) fn hint(s: &Spot) -> Option<PolicyError> {
    operator(s)
        .or_else(|| row_arrow(s))
        .or_else(|| stray_percent(s))
        .or_else(|| amount(s))
        .or_else(|| optional_assessed(s))
        .or_else(|| missing_expression(s))
        .or_else(|| misspelt_keyword(s))
        .or_else(|| unit_after_number(s))
        .or_else(|| reserved_name(s))
}

/// The kinds of rule, as the grammar spells them.
const RULE_KINDS: [&str; 14] = [
    "coverage",
    "exclusion",
    "referral",
    "evidence",
    "supporting",
    "compensation",
    "deadline",
    "priority",
    "note",
    "appeal",
    "refusal",
    "refund",
    "deduction",
    "fallback",
];

/// Words that start an item, other than the rule kinds.
const ITEM_WORDS: [&str; 6] = ["const", "let", "facts", "evidence", "table", "hook"];

/// Words that start a clause of a rule.
const CLAUSE_WORDS: [&str; 11] = [
    "when", "pays", "reduce", "cap", "floor", "add", "requires", "by", "doc", "shows", "eligible",
];

/// Keywords that must be followed by an expression.
const EXPR_KEYWORDS: [&str; 14] = [
    "when", "pays", "by", "at", "default", "if", "then", "else", "where", "and", "or", "not",
    "shows", "add",
];

/// Longest line quoted whole in a help.
const MAX_FIXED_LINE: usize = 80;

/// The line holding `span`, with `span` replaced by `fix` (spaced apart from its
/// neighbours when `pad`), trimmed; `None` when too long to quote.
fn fixed_line(text: &str, span: Span, fix: &str, pad: bool) -> Option<String> {
    let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(span.end..)?
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    let before = text.get(line_start..span.start)?.trim_start();
    let mut after = text.get(span.end..line_end)?;
    if let Some(hash) = after.find('#') {
        if after.contains('"') {
            return None;
        }
        after = after.get(..hash)?;
    }
    let after = after.trim_end();
    let joins = |c: char| !(c.is_whitespace() || "([,".contains(c));
    let lpad = if pad && before.ends_with(joins) {
        " "
    } else {
        ""
    };
    let rpad = if pad && !after.is_empty() && !after.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let line = format!("{before}{lpad}{fix}{rpad}{after}");
    let fits = line.chars().count() <= MAX_FIXED_LINE && !line.contains('`');
    fits.then_some(line)
}

/// `write `<the line, fixed>``, or `write `fix`` when the line is too long to quote.
fn write_fixed(s: &Spot, span: Span, fix: &str, pad: bool) -> String {
    match fixed_line(s.text, span, fix, pad) {
        Some(line) => format!("write `{line}`"),
        None if fix.is_empty() => format!(
            "delete `{}`",
            s.text.get(span.start..span.end).unwrap_or("").trim()
        ),
        None => format!("write `{fix}`"),
    }
}

/// Operators of other languages: `=` for `==`, `&&`, `||`, `!`.
fn operator(s: &Spot) -> Option<PolicyError> {
    // pest may stop inside a run of symbols (at `>` in `<>`): take the whole run.
    let is_op = |c: char| "=!<>&|".contains(c);
    let head = s.text.get(..s.start)?;
    let start = head.trim_end_matches(is_op).len();
    let run = s.text.get(start..)?;
    let found = run.get(..run.find(|c: char| !is_op(c)).unwrap_or(run.len()))?;
    let (fix, message) = match found {
        "=" if s.wants(Rule::cmp_op) => (
            "==",
            "two values are compared with `==`; a single `=` only names a value in `let` and `const`"
                .to_string(),
        ),
        "===" => ("==", "two values are compared with `==`".to_string()),
        "=>" => (">=", "\"at least\" is written `>=`".to_string()),
        "=<" => ("<=", "\"at most\" is written `<=`".to_string()),
        "<>" => ("!=", "\"is not\" is written `!=`".to_string()),
        "&&" | "&" => ("and", format!("conditions are joined with the word `and`, not `{found}`")),
        "||" | "|" => ("or", format!("alternatives are joined with the word `or`, not `{found}`")),
        "!" => ("not", "a condition is negated with the word `not`, not with `!`".to_string()),
        _ => return None,
    };
    let span = Span::new(start, start + found.len());
    Some(
        s.error(span, message, format!("write `{fix}`"))
            .with_help(write_fixed(s, span, fix, true)),
    )
}

/// `under 50.00 -> 1.28` in a table: a row's value follows `:`.
fn row_arrow(s: &Spot) -> Option<PolicyError> {
    // pest may read the `-` as a minus and stop at the `>`.
    let at = if s.text.get(s.start..)?.starts_with("->") {
        s.start
    } else if s.text.get(s.start.checked_sub(1)?..)?.starts_with("->") {
        s.start - 1
    } else {
        return None;
    };
    let head = s.text.get(..at)?;
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let first = head.get(line_start..)?.split_whitespace().next()?;
    if !matches!(first, "up" | "over" | "from" | "under") {
        return None;
    }
    let span = Span::new(at, at + 2);
    // The fix joins `:` to the bound, as rows are written.
    let joined = Span::new(head.trim_end().len(), span.end);
    Some(
        s.error(
            span,
            "a table row's value follows `:`, not `->`",
            "write `:` here",
        )
        .with_help(write_fixed(s, joined, ":", false)),
    )
}

/// `x%`: a percentage is written after a number (`2%`), or taken of a value (`2% of x`).
fn stray_percent(s: &Spot) -> Option<PolicyError> {
    if !s.text.get(s.start..)?.starts_with('%') {
        return None;
    }
    let span = Span::new(s.start, s.start + 1);
    Some(
        s.error(
            span,
            "`%` only follows a number written out, like `2%`",
            "not after a number",
        )
        .with_help(
            "to take a percentage of a value, write `N% of VALUE`, like `80% of claim.repair_cost`",
        ),
    )
}

fn is_digit_at(text: &str, at: usize) -> bool {
    text.as_bytes().get(at).is_some_and(u8::is_ascii_digit)
}

/// A three-letter currency code (`USD`), or the policy's own currency however it is cased.
fn is_currency(word: &str, policy: Option<&str>) -> bool {
    (word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase()))
        || policy.is_some_and(|p| p.eq_ignore_ascii_case(word))
}

/// The header's `currency ...` line after the word, read from the text.
fn header_currency_line(text: &str) -> Option<&str> {
    text.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("currency")?;
        rest.starts_with(char::is_whitespace).then_some(rest)
    })
}

/// The currency the header names (`currency USD ...`), read from the text; none when it
/// names several (`currency USD, EUR ...`) or any (`currency from ...`).
fn header_currency(text: &str) -> Option<&str> {
    let word = header_currency_line(text)?.split_whitespace().next()?;
    (word != "from" && !word.ends_with(',') && !several_currencies(text)).then_some(word)
}

/// Whether the header names several currencies, or any.
fn several_currencies(text: &str) -> bool {
    header_currency_line(text).is_some_and(|rest| {
        let codes = rest.split(" from").next().unwrap_or("");
        rest.trim_start().starts_with("from") || codes.contains(',')
    })
}

/// Where amounts get their currency, for helps.
fn currency_note(text: &str) -> String {
    if several_currencies(text) {
        return "this policy pays in several currencies: name an amount in each, as in \
                `const fee = { USD: 5, EUR: 5 }`"
            .to_string();
    }
    match header_currency(text) {
        Some(code) => {
            format!("every amount in this policy is in {code}, the currency its header names")
        }
        None => "amounts are in the currency the policy's header names".to_string(),
    }
}

/// The number written with thousands separators around `at` (`1,000,000.50`), if it is one.
fn grouped_number(text: &str, at: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    let in_number = |b: u8| b.is_ascii_digit() || b == b',' || b == b'.';
    let mut start = at;
    while start > 0 && bytes.get(start - 1).is_some_and(|&b| in_number(b)) {
        start -= 1;
    }
    let mut end = at;
    while bytes.get(end).is_some_and(|&b| in_number(b)) {
        end += 1;
    }
    let written = text.get(start..end)?.trim_end_matches([',', '.']);
    let end = start + written.len();
    let whole = written.split('.').next()?;
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let grouped = (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty()
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    let word_before = start > 0
        && bytes
            .get(start - 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    (grouped && !word_before && written.matches('.').count() <= 1).then_some(Span::new(start, end))
}

/// Amounts written as people write them: `1,000`, `1000 USD`, `USD 1000`, `$1000`, `007`.
pub(super) fn amount(s: &Spot) -> Option<PolicyError> {
    let (text, found, at) = (s.text, s.found, s.start);
    let starts_digit = found.starts_with(|c: char| c.is_ascii_digit());
    // `1,000`: pest stops at the comma, or (in a list or a call) at the group after it.
    let comma_at = match found {
        "," if is_digit_at(text, at.wrapping_sub(1)) && is_digit_at(text, at + 1) => Some(at),
        _ if starts_digit && text.get(..at).is_some_and(|b| b.ends_with(',')) => Some(at - 1),
        _ => None,
    };
    if let Some(span) = comma_at.and_then(|c| grouped_number(text, c)) {
        let written = text.get(span.start..span.end).unwrap_or("");
        let plain = written.replace(',', "");
        return Some(
            s.error(
                span,
                "a number is written without thousands separators",
                format!("write `{plain}`"),
            )
            .with_help(format!(
                "{}: amounts are plain numbers (`1000`, `1000.50`); {}",
                write_fixed(s, span, &plain, false),
                currency_note(text)
            )),
        );
    }
    let policy_currency = header_currency(text);
    // `1000 USD`: a currency code after a number.
    let prev_end = end_before(text, at);
    let after_number = is_digit_at(text, prev_end.wrapping_sub(1)) && {
        let start = word_start(text, prev_end);
        text.get(start..prev_end)
            .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
    };
    if after_number && is_currency(found, policy_currency) {
        return Some(without_currency(
            s,
            s.span(),
            Span::new(prev_end, s.span().end),
            found,
        ));
    }
    // `USD 1000`: a currency code (read as a name) before a number.
    let before = word_before(text, at);
    if starts_digit && is_currency(before, policy_currency) {
        let code = Span::new(word_start(text, prev_end), prev_end);
        return Some(without_currency(s, code, Span::new(code.start, at), before));
    }
    // `1000USD`
    let digits = found.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let code = found.get(digits.len()..).unwrap_or("");
    if starts_digit
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && is_currency(code, policy_currency)
    {
        let span = Span::new(at + digits.len(), at + found.len());
        return Some(without_currency(s, span, span, code));
    }
    // `$1000`
    if ["$", "€", "£"].contains(&found) {
        let span = s.span();
        return Some(
            s.error(
                span,
                "an amount is written without a currency sign",
                format!("remove `{found}`"),
            )
            .with_help(format!(
                "{}: {}",
                write_fixed(s, span, "", false),
                currency_note(text)
            )),
        );
    }
    // `007`
    if starts_digit
        && found.len() > 1
        && found.starts_with('0')
        && found.bytes().all(|b| b.is_ascii_digit())
    {
        let plain = found.trim_start_matches('0');
        let plain = if plain.is_empty() { "0" } else { plain };
        let span = s.span();
        return Some(
            s.error(
                span,
                "a number is written without leading zeros",
                format!("write `{plain}`"),
            )
            .with_help(write_fixed(s, span, plain, false)),
        );
    }
    None
}

/// A currency code written with an amount: underline `code`, and show the line without `cut`.
fn without_currency(s: &Spot, code: Span, cut: Span, word: &str) -> PolicyError {
    s.error(
        code,
        "an amount is written without its currency",
        format!("remove `{word}`"),
    )
    .with_help(format!(
        "{}: {}",
        write_fixed(s, cut, "", false),
        currency_note(s.text)
    ))
}

/// Whether the token ending at `end` ends an operator or a keyword that needs an operand.
fn needs_operand(text: &str, end: usize) -> bool {
    let before = text.get(..end).unwrap_or("");
    before.ends_with(['=', '<', '>', '+', '-', '*', '/', '(', '[', ','])
        || EXPR_KEYWORDS.contains(&word_before(text, end + 1))
}

/// A word that starts a clause or an item but was read as a name, because an operator or a
/// keyword before it wanted one (`when x >` then `cap at 100` on the next line): its start
/// and the word, so that the expression before it is reported as incomplete.
fn swallowed<'t>(s: &Spot<'t>) -> Option<(usize, &'t str)> {
    let text = s.text;
    let end = end_before(text, s.start);
    let start = word_start(text, end);
    let word = text.get(start..end)?;
    // What follows must be able to start the clause (`at`, an expression, a name): a `)`
    // after a value named `by` is a mistake of its own.
    let starts_operand = s
        .found
        .starts_with(|c: char| c.is_ascii_alphanumeric() || "_(\"[-".contains(c));
    let opens = starts_operand
        && match word {
            "cap" | "floor" => s.found == "at",
            "by" => true,
            w => RULE_KINDS.contains(&w) || ITEM_WORDS.contains(&w),
        };
    let prev = end_before(text, start);
    (opens && !word.is_empty() && needs_operand(text, prev)).then_some((start, word))
}

/// What `keyword` must be followed by, and an example.
fn operand_of(keyword: &str, before: &str) -> (&'static str, Option<&'static str>) {
    match keyword {
        "when" => ("a condition", Some("when claim.type == \"lost\"")),
        "if" | "where" | "and" | "or" | "not" => ("a condition", None),
        "pays" => ("an amount", Some("pays order.total")),
        "add" => ("an amount", Some("add claim.reship_cost")),
        "by" if before == "reduce" => ("an amount", Some("reduce by claim.courier_compensation")),
        "by" => ("a date or an instant", Some("by claim.filed_at + 30 days")),
        "at" if before == "floor" => ("an amount", Some("floor at 0")),
        "at" => ("an amount", Some("cap at 500")),
        "shows" => ("a value", Some("shows \"cash\"")),
        "default" => ("a value", Some("default 0")),
        _ => ("a value", None),
    }
}

/// An expression left out (`when` with nothing after it) or left unfinished (`x >` before
/// the next clause).
fn missing_expression(s: &Spot) -> Option<PolicyError> {
    let text = s.text;
    let (at, found) = match swallowed(s) {
        Some(w) => w,
        None if s.wants_expr() => (s.start, s.found),
        None => return None,
    };
    let span = Span::new(at, at + found.len());
    let keyword = word_before(text, at);
    let prev_end = end_before(text, at);
    if EXPR_KEYWORDS.contains(&keyword) && word_start(text, prev_end) < prev_end {
        let before = word_before(text, word_start(text, prev_end));
        let (what, example) = operand_of(keyword, before);
        let help = match example {
            Some(e) => format!("write {what} after `{keyword}`, such as `{e}`"),
            None => format!("write {what} after `{keyword}`"),
        };
        return Some(
            s.error(
                span,
                format!("`{keyword}` is not followed by {what}"),
                format!("expected {what} here"),
            )
            .with_help(help),
        );
    }
    let ends_clause =
        CLAUSE_WORDS.contains(&found) || RULE_KINDS.contains(&found) || ITEM_WORDS.contains(&found);
    if !ends_clause {
        return None;
    }
    let op_start = word_start(text, prev_end);
    let op = token(
        text,
        text.get(..prev_end)?
            .rfind(|c: char| !"=!<>+-*/".contains(c))
            .map_or(0, |i| i + 1),
    );
    let help = if op_start == prev_end && !op.is_empty() && "=!<>+-*/".contains(op.chars().next()?)
    {
        format!("write what comes after `{op}`, or delete `{op}`")
    } else {
        format!("finish the expression before `{found}`")
    };
    Some(
        s.error(
            span,
            format!("the expression before `{found}` is incomplete"),
            "expected an expression before this",
        )
        .with_help(help),
    )
}

/// What kind of keyword a suggestion is, for the message.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Rule,
    Clause,
    Header,
    Unit,
    Word,
}

/// The keywords that could stand where the parse failed.
fn candidates(s: &Spot) -> Vec<(&'static str, Kind)> {
    let mut out = Vec::new();
    for r in s.expected {
        match r {
            Rule::rule_kind => out.extend(RULE_KINDS.iter().map(|k| (*k, Kind::Rule))),
            Rule::time_unit => out.extend([
                ("days", Kind::Unit),
                ("hours", Kind::Unit),
                ("months", Kind::Unit),
                ("years", Kind::Unit),
            ]),
            Rule::kw_version => out.push(("version", Kind::Header)),
            Rule::kw_effective => out.push(("effective", Kind::Header)),
            Rule::kw_until => out.push(("until", Kind::Header)),
            Rule::kw_currency => out.push(("currency", Kind::Header)),
            _ => {
                let name = format!("{r:?}");
                let Some(word) = name.strip_prefix("kw_") else {
                    continue;
                };
                let kind = if CLAUSE_WORDS.contains(&word) {
                    Kind::Clause
                } else {
                    Kind::Word
                };
                if let Some(w) = CLAUSE_WORDS
                    .iter()
                    .chain(ITEM_WORDS.iter())
                    .chain(EXPR_KEYWORDS.iter())
                    .chain(["otherwise", "is", "in", "any", "of", "to", "up", "over"].iter())
                    .find(|w| **w == word)
                {
                    out.push((*w, kind));
                }
            }
        }
    }
    out
}

/// Length of the common start of two words.
fn common_start(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The keyword `word` reads as a misspelling or another form of (`exclude`, `exclusions`,
/// `Coverage` for `exclusion`, `exclusion`, `coverage`).
fn nearest(word: &str, candidates: &[(&'static str, Kind)]) -> Option<(&'static str, Kind)> {
    let lower = word.to_ascii_lowercase();
    if let Some(c) = candidates.iter().find(|(c, _)| *c == lower) {
        return Some(*c);
    }
    let close = |c: &str| c.len() >= 4 && suggest(&lower, &[c]).is_some();
    let stem = |c: &str| common_start(&lower, c) >= 4 && lower.len() >= 4 && !lower.contains('_');
    // The closest by edits or by a shared stem; a longer shared start wins (`refuse` is
    // `refusal`, not `refund`), then the nearer length.
    candidates
        .iter()
        .filter(|(c, _)| close(c) || stem(c))
        .max_by_key(|(c, _)| {
            (
                common_start(&lower, c),
                std::cmp::Reverse(c.len().abs_diff(lower.len())),
            )
        })
        .copied()
}

/// A word written where a keyword was expected: a misspelt rule kind (`exclude` for
/// `exclusion`), clause (`pay`), header line or unit (`dayz`), or an unknown rule kind.
fn misspelt_keyword(s: &Spot) -> Option<PolicyError> {
    let found = s.found;
    if !found.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let span = s.span();
    match nearest(found, &candidates(s)) {
        Some((word, kind)) => {
            let (message, label) = match kind {
                Kind::Rule => (
                    format!("`{found}` is not a kind of rule"),
                    "unknown rule kind",
                ),
                Kind::Clause => (
                    format!("`{found}` is not a clause of a rule"),
                    "unknown clause",
                ),
                Kind::Header => (
                    format!("`{found}` is not a line of the header"),
                    "unknown header line",
                ),
                Kind::Unit => (format!("`{found}` is not a unit of time"), "unknown unit"),
                Kind::Word => (format!("unknown word `{found}`"), "not a keyword"),
            };
            let help = if word.eq_ignore_ascii_case(found) {
                format!("keywords are written in lower case: `{word}`")
            } else {
                format!("did you mean `{word}`?")
            };
            Some(s.error(span, message, label).with_help(help))
        }
        None if s.wants(Rule::rule_kind) && starts_rule(s) => {
            let kinds: Vec<String> = RULE_KINDS.iter().map(|k| format!("`{k}`")).collect();
            Some(
                s.error(
                    span,
                    format!("`{found}` is not a kind of rule"),
                    "unknown rule kind",
                )
                .with_help(format!(
                    "a rule starts with its kind: {}",
                    super::syntax::or_list(&kinds)
                )),
            )
        }
        None => None,
    }
}

/// The units of time, singular and plural, each with the plural a suggestion names.
const UNITS: [(&str, &str); 8] = [
    ("days", "days"),
    ("day", "days"),
    ("hours", "hours"),
    ("hour", "hours"),
    ("months", "months"),
    ("month", "months"),
    ("years", "years"),
    ("year", "years"),
];

/// Abbreviations of the units of time, as people write them.
const UNIT_ABBREVIATIONS: [(&str, &str); 15] = [
    ("d", "days"),
    ("ds", "days"),
    ("dys", "days"),
    ("h", "hours"),
    ("hr", "hours"),
    ("hrs", "hours"),
    ("mo", "months"),
    ("mos", "months"),
    ("mon", "months"),
    ("mons", "months"),
    ("mth", "months"),
    ("mths", "months"),
    ("y", "years"),
    ("yr", "years"),
    ("yrs", "years"),
];

/// A word after a number that is no unit of time (`1 monht`, `2 hrs`, `3 wks`): the unit
/// it is nearest to. A number is followed only by a unit, so any word close to one is
/// taken for it.
fn unit_after_number(s: &Spot) -> Option<PolicyError> {
    let found = s.found;
    if !s.wants(Rule::time_unit) || !found.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let number_end = end_before(s.text, s.start);
    let number = s.text.get(..number_end)?;
    let number = number.get(number.rfind(|c: char| !(c.is_ascii_digit() || c == '.'))? + 1..)?;
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let word = found.to_ascii_lowercase();
    let span = s.span();
    let unknown = |help: String| {
        s.error(
            span,
            format!("`{found}` is not a unit of time"),
            "unknown unit",
        )
        .with_help(help)
    };
    if matches!(word.as_str(), "w" | "wk" | "wks" | "week" | "weeks") {
        let days = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(7))
            .map_or("N * 7 days".to_string(), |d| format!("{d} days"));
        return Some(unknown(format!(
            "a week is 7 days: write `{days}` (durations are in `days` or `hours`, calendar \
             periods in `months` or `years`)"
        )));
    }
    let singular_and_plural = UNITS.map(|(u, _)| u);
    let unit = UNIT_ABBREVIATIONS
        .iter()
        .find(|(a, _)| *a == word)
        .map(|(_, u)| *u)
        .or_else(|| {
            let near = suggest(&word, &singular_and_plural)?;
            UNITS.iter().find(|(u, _)| *u == near).map(|(_, p)| *p)
        })
        .or_else(|| {
            // A unit cut short (`mont`) or run on (`dayss`).
            let starts = |u: &&(&str, &str)| {
                word.len() >= 2 && (u.0.starts_with(&word) || word.starts_with(u.0))
            };
            UNITS.iter().find(starts).map(|(_, p)| *p)
        })?;
    Some(unknown(format!("did you mean `{unit}`?")))
}

/// Whether the word at `s` starts a line and a name follows it, as a rule's head does.
fn starts_rule(s: &Spot) -> bool {
    let line_start = s
        .text
        .get(..s.start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = s.text.get(line_start..s.start).unwrap_or("");
    let rest = s.text.get(s.start + s.found.len()..).unwrap_or("");
    let next = rest.trim_start_matches([' ', '\t']);
    indent.trim().is_empty()
        && next.len() < rest.len()
        && next.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// `share: optional assessed decimal`: an assessed field cannot be optional (the checker
/// says the same of `assessed optional decimal`).
fn optional_assessed(s: &Spot) -> Option<PolicyError> {
    let text = s.text;
    let optional_end = end_before(text, s.start);
    let optional_start = word_start(text, optional_end);
    if s.found != "assessed" || text.get(optional_start..optional_end)? != "optional" {
        return None;
    }
    let colon = end_before(text, optional_start);
    if !text.get(..colon)?.ends_with(':') {
        return None;
    }
    let name = word_before(text, colon - 1);
    // The type as written after `assessed`, up to the end of the line or a comment.
    let rest = text.get(s.start + s.found.len()..)?;
    let line = rest.split(['\n', '#']).next().unwrap_or("");
    let line = line.split(" default").next().unwrap_or("").trim();
    // An enumeration on one line is quoted whole, other types by their word.
    let ty = match (line.find('{'), line.find('}')) {
        (Some(open), Some(close)) if open < close => line.get(..=close).unwrap_or(line),
        (Some(_), _) => "TYPE",
        _ => line.split_whitespace().next().unwrap_or("TYPE"),
    };
    Some(
        s.error(
            Span::new(optional_start, optional_end),
            format!("the assessed field `{name}` cannot be optional"),
            "optional",
        )
        .with_help(format!(
            "a document may leave an assessed field out already, and a rule that needs it \
             waits for it rather than reading it as absent: write `{name}: assessed {ty}`"
        )),
    )
}

/// A reserved word where a name was expected (`let when = ...`).
fn reserved_name(s: &Spot) -> Option<PolicyError> {
    let found = s.found;
    if !RESERVED.contains(&found) || !s.wants_name() {
        return None;
    }
    let before = word_before(s.text, s.start);
    let other = if before == "let" || before == "const" {
        format!("{found}_value")
    } else if RULE_KINDS.contains(&before) {
        format!("{found}_rule")
    } else {
        format!("{found}_field")
    };
    Some(
        s.error(
            s.span(),
            format!("`{found}` is a reserved word and cannot be a name"),
            "reserved word",
        )
        .with_help(format!("choose another name, such as `{other}`")),
    )
}
