//! The parser: precedence, literals, strings, durations, dates, and syntax errors with spans.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use proviso::internals::ast::{Alternative, Clause, Expr, ExprKind, PolicyFile, TimeUnit};
use proviso::internals::parse::parse_file;
use proviso::internals::span::Source;
use proviso::PolicyError;

use minimal::{located, policy, underlined, FILE};

/// The facts block the parser sees; the parser does not resolve names.
const FACTS: &str = "  a: bool";

fn parse(text: &str) -> Result<PolicyFile, Vec<PolicyError>> {
    parse_file(&Source::new(FILE, text))
}

fn parsed(text: &str) -> PolicyFile {
    match parse(text) {
        Ok(f) => f,
        Err(e) => panic!(
            "does not parse: {:?}",
            e.iter().map(located).collect::<Vec<_>>()
        ),
    }
}

/// The single parse error of a text, as `line:col message`.
fn parse_error(text: &str) -> (String, PolicyError) {
    match parse(text) {
        Ok(_) => panic!("parses, but should not:\n{text}"),
        Err(errors) => {
            assert_eq!(
                errors.len(),
                1,
                "{:?}",
                errors.iter().map(located).collect::<Vec<_>>()
            );
            let e = errors.into_iter().next().unwrap();
            (located(&e), e)
        }
    }
}

/// The `when` expression of the first rule of a policy whose only rule is `rule x doc "x" when <expr>`.
fn when(expr: &str) -> Expr {
    let f = parsed(&policy(
        FACTS,
        &format!("exclusion x doc \"x\" when {expr}"),
    ));
    let rule = f.rules.into_iter().next().expect("a rule");
    rule.clauses
        .into_iter()
        .find_map(|c| match c {
            Clause::When(e) => Some(e),
            _ => None,
        })
        .expect("a when clause")
}

/// An expression as an S-expression, to assert on its shape.
fn sexp(e: &Expr) -> String {
    use proviso::internals::ast::BinOp;
    match &e.kind {
        ExprKind::Number(n, dot) => format!("{n}{}", if *dot { "d" } else { "" }),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Date(d) => d.to_string(),
        ExprKind::Duration(n, TimeUnit::Days) => format!("{n}days"),
        ExprKind::Duration(n, TimeUnit::Hours) => format!("{n}hours"),
        ExprKind::Duration(n, TimeUnit::Months) => format!("{n}months"),
        ExprKind::Duration(n, TimeUnit::Years) => format!("{n}years"),
        ExprKind::Path(p) => p.dotted(),
        ExprKind::List(items) => {
            let parts: Vec<String> = items.iter().map(sexp).collect();
            format!("[{}]", parts.join(" "))
        }
        ExprKind::Amounts(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(code, n)| format!("{}:{}", code.name, sexp(n)))
                .collect();
            format!("{{{}}}", parts.join(" "))
        }
        ExprKind::Percent(n) => format!("{n}%"),
        ExprKind::PercentOf(a, b) => format!("(%of {} {})", sexp(a), sexp(b)),
        ExprKind::Not(a) => format!("(not {})", sexp(a)),
        ExprKind::Neg(a) => format!("(neg {})", sexp(a)),
        ExprKind::Binary(op, a, b) => {
            let name = match op {
                BinOp::NotIn => "not-in",
                other => other.symbol(),
            };
            format!("({name} {} {})", sexp(a), sexp(b))
        }
        ExprKind::Otherwise(a, b) => format!("(otherwise {} {})", sexp(a), sexp(b)),
        ExprKind::IsPresent(a, true) => format!("(present {})", sexp(a)),
        ExprKind::IsPresent(a, false) => format!("(absent {})", sexp(a)),
        ExprKind::If(c, t, f) => format!("(if {} {} {})", sexp(c), sexp(t), sexp(f)),
        ExprKind::Call(name, args) => {
            let parts: Vec<String> = args.iter().map(sexp).collect();
            format!("({} {})", name.name, parts.join(" "))
        }
        ExprKind::Access(a, fields) => {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            format!("(. {} {})", sexp(a), names.join("."))
        }
        ExprKind::Aggregate {
            kind,
            var,
            list,
            filter,
            body,
        } => {
            let mut s = format!("({} {} {}", kind.as_str(), var.name, list.dotted());
            if let Some(f) = filter {
                s.push_str(&format!(" where {}", sexp(f)));
            }
            if let Some(b) = body {
                s.push_str(&format!(" : {}", sexp(b)));
            }
            s + ")"
        }
    }
}

fn shape(expr: &str) -> String {
    sexp(&when(expr))
}

// ---- precedence ------------------------------------------------------------

#[test]
fn the_runs_to_the_end_and_fields_follow_brackets() {
    assert_eq!(
        shape("(the i in order.items where i.sku == \"A\").qty + 1 > 2"),
        "(> (+ (. (the i order.items where (== i.sku \"A\")) qty) 1) 2)"
    );
    assert_eq!(
        shape("the i in l where i.a and i.b"),
        "(the i l where (and i.a i.b))"
    );
    assert_eq!(shape("((x).a).b == 1"), "(== (. (. x a) b) 1)");
    // `the` is a word only where a selection starts: a fact may be named `the`.
    assert_eq!(
        shape("the.x == 1 and the == 2"),
        "(and (== the.x 1) (== the 2))"
    );
    assert_eq!(
        shape("min(i in l: i.a) otherwise 0 < max(a, b)"),
        "(< (otherwise (min i l : i.a) 0) (max a b))"
    );
}

#[test]
fn and_binds_tighter_than_or_and_not_tighter_than_and() {
    assert_eq!(shape("a or b and not c"), "(or a (and b (not c)))");
    assert_eq!(shape("not a and b or c"), "(or (and (not a) b) c)");
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(shape("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(shape("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(shape("6 / 2 - 1"), "(- (/ 6 2) 1)");
}

#[test]
fn arithmetic_is_left_associative() {
    assert_eq!(shape("10 - 3 - 2"), "(- (- 10 3) 2)");
    assert_eq!(shape("12 / 2 / 3"), "(/ (/ 12 2) 3)");
}

#[test]
fn not_applies_to_a_whole_comparison() {
    assert_eq!(shape("not x == y"), "(not (== x y))");
    assert_eq!(shape("not not a"), "(not (not a))");
}

#[test]
fn comparison_binds_looser_than_arithmetic() {
    assert_eq!(shape("x + 1 > y * 2"), "(> (+ x 1) (* y 2))");
    assert_eq!(shape("x - y < 30 days"), "(< (- x y) 30days)");
}

#[test]
fn otherwise_and_presence_bind_to_one_atom() {
    assert_eq!(
        shape("x otherwise 1 + 2 > 0"),
        "(> (+ (otherwise x 1) 2) 0)"
    );
    assert_eq!(shape("x is present and x > 0"), "(and (present x) (> x 0))");
    assert_eq!(shape("not x is absent"), "(not (absent x))");
    assert_eq!(
        shape("(x otherwise y) otherwise 0"),
        "(otherwise (otherwise x y) 0)"
    );
}

#[test]
fn membership_and_its_negation() {
    assert_eq!(shape("x in [\"a\", \"b\",]"), "(in x [\"a\" \"b\"])");
    assert_eq!(shape("x not in []"), "(not-in x [])");
}

#[test]
fn unary_minus_folds_into_a_number_and_wraps_anything_else() {
    assert_eq!(shape("-2.345 < x"), "(< -2.345d x)");
    assert_eq!(shape("- x < 0"), "(< (neg x) 0)");
    assert_eq!(shape("1 - -2 == 3"), "(== (- 1 -2) 3)");
    assert_eq!(shape("-30 days < x"), "(< (neg 30days) x)");
}

#[test]
fn conditionals_calls_and_aggregates() {
    assert_eq!(shape("if a then 1 else 2 == x"), "(if a 1 (== 2 x))");
    assert_eq!(shape("min(x, 2, 3) > 0"), "(> (min x 2 3) 0)");
    assert_eq!(
        shape("sum(i in order.items where i.q > 0: i.q * i.p) > 0"),
        "(> (sum i order.items where (> i.q 0) : (* i.q i.p)) 0)"
    );
    assert_eq!(shape("count(i in xs) == 0"), "(== (count i xs) 0)");
    assert_eq!(shape("any(i in xs: i.ok)"), "(any i xs : i.ok)");
}

#[test]
fn spans_end_at_the_last_token_not_at_trailing_space_or_comments() {
    let text = policy(
        FACTS,
        "exclusion x doc \"x\" when (a.b   # \"quoted\" note\n  or c)\n  and d",
    );
    let f = parsed(&text);
    let Some(Clause::When(e)) = f.rules[0].clauses.get(1) else {
        panic!("no when clause");
    };
    let ExprKind::Binary(_, lhs, rhs) = &e.kind else {
        panic!("not a binary expression: {}", sexp(e));
    };
    let ExprKind::Binary(_, inner, _) = &lhs.kind else {
        panic!("not a binary expression: {}", sexp(lhs));
    };
    let text_of = |x: &Expr| text.get(x.span.start..x.span.end).unwrap_or("").to_string();
    assert_eq!(text_of(inner), "a.b");
    assert_eq!(text_of(rhs), "d");
    // A bracketed operand's span takes in its brackets.
    assert_eq!(text_of(lhs), "(a.b   # \"quoted\" note\n  or c)");
}

// ---- literals --------------------------------------------------------------

#[test]
fn numbers_keep_whether_they_were_written_with_a_point() {
    assert_eq!(shape("x == 3"), "(== x 3)");
    assert_eq!(shape("x == 3.0"), "(== x 3.0d)");
    assert_eq!(shape("x == 0.10"), "(== x 0.10d)");
}

#[test]
fn a_number_beyond_decimal_range_is_an_error_at_its_span() {
    let (at, e) = parse_error(&policy(
        FACTS,
        "exclusion x doc \"x\" when x > 79228162514264337593543950336",
    ));
    assert_eq!(at, "9:30 number is too large or too precise");
    assert_eq!(underlined(&e), "79228162514264337593543950336");
    assert_eq!(
        e.help.as_deref(),
        Some("numbers hold at most 28 significant digits")
    );
}

#[test]
fn string_escapes() {
    assert_eq!(
        shape(r#"x == "a\"b\\c\nd\te""#),
        format!("(== x {:?})", "a\"b\\c\nd\te")
    );
}

#[test]
fn an_unknown_escape_is_an_error_at_the_escape() {
    let (at, e) = parse_error(&policy(FACTS, r#"exclusion x doc "x" when x == "ab\qc""#));
    assert_eq!(at, "9:34 unknown escape `\\q`");
    assert_eq!(underlined(&e), "\\q");
    assert_eq!(e.help.as_deref(), Some("the escapes are \\\" \\\\ \\n \\t"));
}

#[test]
fn doc_strings_join_with_single_spaces() {
    let text = policy(
        FACTS,
        "coverage c\n  doc \"Lost  parcels are\"\n      \"  covered \\\"in full\\\".\"\n      \"Assumed: always.\"\n  pays 1",
    );
    let f = parsed(&text);
    let Some(Clause::Doc(doc)) = f.rules[0].clauses.first() else {
        panic!("no doc clause");
    };
    assert_eq!(
        doc.value,
        "Lost parcels are covered \"in full\". Assumed: always."
    );
    let src = Source::new(FILE, text.as_str());
    assert_eq!(src.line_col(doc.span.start), (10, 7));
    assert_eq!(src.line_col(doc.span.end), (12, 25));
    assert_eq!(
        f.header.doc.as_ref().map(|d| d.value.as_str()),
        Some("A policy for tests.")
    );
}

#[test]
fn booleans_dates_and_paths() {
    assert_eq!(shape("true and false"), "(and true false)");
    assert_eq!(shape("d >= 2024-02-29"), "(>= d 2024-02-29)");
    assert_eq!(shape("order.items_count > 0"), "(> order.items_count 0)");
    assert_eq!(shape("truthy"), "truthy");
}

// ---- durations -------------------------------------------------------------

#[test]
fn durations_in_days_and_hours() {
    assert_eq!(shape("x < 30 days"), "(< x 30days)");
    assert_eq!(shape("x < 1 day"), "(< x 1days)");
    assert_eq!(shape("x < 24 hours"), "(< x 24hours)");
    assert_eq!(shape("x < 1 hour + 2 days"), "(< x (+ 1hours 2days))");
}

#[test]
fn a_fractional_duration_is_an_error() {
    let (at, e) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when x < 1.5 days"));
    assert_eq!(at, "9:30 a duration is a whole number of days or hours");
    assert_eq!(underlined(&e), "1.5 days");
    assert_eq!(e.help.as_deref(), Some("write hours for part of a day"));
}

#[test]
fn a_unit_glued_to_its_number_is_a_syntax_error() {
    let (at, _) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when x < 30days"));
    assert_eq!(at, "9:30 unexpected `30days`");
}

// ---- dates -----------------------------------------------------------------

#[test]
fn an_invalid_date_in_an_expression_is_an_error_at_its_span() {
    let (at, e) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when d < 2025-02-29"));
    assert_eq!(at, "9:30 `2025-02-29` is not a calendar date");
    assert_eq!(underlined(&e), "2025-02-29");
    assert_eq!(e.label, "no such date");
    let (at, _) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when d < 2025-13-01"));
    assert_eq!(at, "9:30 `2025-13-01` is not a calendar date");
    let (at, _) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when d < 2025-04-31"));
    assert_eq!(at, "9:30 `2025-04-31` is not a calendar date");
}

#[test]
fn an_invalid_date_in_the_header_is_an_error() {
    let text = "policy \"t/p\"\nversion \"1\"\neffective 2025-02-30\n";
    let (at, _) = parse_error(text);
    assert_eq!(at, "3:11 `2025-02-30` is not a calendar date");
}

#[test]
fn header_fields_are_read() {
    let text = "policy \"t/p\"\nversion \"2\"\neffective 2024-02-29\nuntil 2025-12-31\ncurrency EUR\ndoc \"a\" \"b\"\n";
    let h = parsed(text).header;
    assert_eq!(h.name.value, "t/p");
    assert_eq!(h.version.map(|v| v.value).as_deref(), Some("2"));
    assert_eq!(
        h.effective.map(|d| d.value.to_string()).as_deref(),
        Some("2024-02-29")
    );
    assert_eq!(
        h.until.map(|d| d.value.to_string()).as_deref(),
        Some("2025-12-31")
    );
    assert_eq!(h.currency.map(|c| c.name).as_deref(), Some("EUR"));
    assert_eq!(h.doc.map(|d| d.value).as_deref(), Some("a b"));
}

#[test]
fn a_header_field_given_twice_is_an_error() {
    let (at, e) = parse_error("policy \"t/p\"\nversion \"1\"\nversion \"2\"\n");
    assert_eq!(at, "3:1 header field given twice");
    assert_eq!(underlined(&e), "version \"2\"");
}

// ---- items and rules -------------------------------------------------------

#[test]
fn items_are_sorted_into_their_lists() {
    let f = parsed(&policy(
        "  claim: record {\n    evidence: list of record { kind: string }\n  }",
        "const wait = 30 days\nlet v = 1\nevidence from claim.evidence\n\
         # a comment between rules\ncoverage c doc \"c\" pays 1\ncompensation k doc \"k\" cap at 2",
    ));
    assert_eq!(f.facts.len(), 1);
    assert_eq!(f.consts[0].name.name, "wait");
    assert_eq!(f.lets[0].name.name, "v");
    assert_eq!(
        f.evidence_source.as_ref().map(|p| p.dotted()).as_deref(),
        Some("claim.evidence")
    );
    let rules: Vec<(&str, &str)> = f
        .rules
        .iter()
        .map(|r| (r.kind.as_str(), r.name.name.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            ("coverage", "c"),
            ("compensation", "k"),
            ("fallback", "not_covered")
        ]
    );
    let clauses: Vec<&str> = f.rules[1].clauses.iter().map(|c| c.keyword()).collect();
    assert_eq!(clauses, ["doc", "cap at"]);
}

#[test]
fn evidence_alternatives() {
    let f = parsed(&policy(
        FACTS,
        "evidence e doc \"e\" requires any of { photos where sides >= 6, video, facts(a.b, c) }",
    ));
    let Some(Clause::Requires(alts)) = f.rules[0].clauses.get(1) else {
        panic!("no requires clause");
    };
    let shown: Vec<String> = alts
        .iter()
        .map(|a| match a {
            Alternative::Kind { kind, condition } => match condition {
                Some(c) => format!("{} where {}", kind.name, sexp(c)),
                None => kind.name.clone(),
            },
            Alternative::Facts { paths, .. } => {
                let p: Vec<String> = paths.iter().map(|p| p.dotted()).collect();
                format!("facts {}", p.join(" "))
            }
        })
        .collect();
    assert_eq!(shown, ["photos where (>= sides 6)", "video", "facts a.b c"]);
}

#[test]
fn a_reserved_word_as_a_name_is_a_syntax_error_with_help() {
    let (at, e) = parse_error(&policy(FACTS, "let and = 1"));
    assert_eq!(at, "9:5 `and` is a reserved word and cannot be a name");
    assert_eq!(e.label, "reserved word");
    assert_eq!(
        e.help.as_deref(),
        Some("choose another name, such as `and_value`")
    );
}

#[test]
fn an_incomplete_expression_names_what_was_expected() {
    let (at, e) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when a + )"));
    assert_eq!(at, "9:30 unexpected `)`");
    assert_eq!(e.label, "expected an expression");
    // After a keyword, the message names what the keyword needs.
    let (at, e) = parse_error(&policy(FACTS, "exclusion x doc \"x\" when a and )"));
    assert_eq!(at, "9:32 `and` is not followed by a condition");
    assert_eq!(e.label, "expected a condition here");
    assert_eq!(e.help.as_deref(), Some("write a condition after `and`"));
    // At the end of the file, the last thing written is underlined.
    let (at, e) = parse_error("policy \"t/p\"\nversion");
    assert_eq!(at, "2:7 unexpected end of file");
    assert!(e.label.ends_with(" after this"), "{}", e.label);
}

#[test]
fn an_unknown_rule_kind_is_a_syntax_error() {
    let (at, e) = parse_error(&policy(FACTS, "covrage c doc \"c\" pays 1"));
    assert_eq!(at, "9:1 `covrage` is not a kind of rule");
    assert_eq!(e.label, "unknown rule kind");
    assert_eq!(e.help.as_deref(), Some("did you mean `coverage`?"));
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    let (at, e) = parse_error(&policy(
        FACTS,
        &format!("exclusion x doc \"x\" when {deep}"),
    ));
    assert_eq!(at, "9:58 brackets nest too deeply");
    assert_eq!(underlined(&e), "(");
}
