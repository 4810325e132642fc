//! The syntax tree of a policy file, as written; every node keeps its span.

use crate::span::Span;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct PolicyFile {
    pub header: Header,
    pub facts: Vec<FieldDecl>,
    pub facts_span: Option<Span>,
    pub consts: Vec<Binding>,
    pub lets: Vec<Binding>,
    /// `let NAME(PARAM, ...) = EXPR`: functions, expanded at each call.
    pub functions: Vec<Function>,
    pub evidence_source: Option<Path>,
    pub tables: Vec<Table>,
    pub hooks: Vec<HookDecl>,
    pub calendars: Vec<Calendar>,
    pub rules: Vec<Rule>,
}

/// `calendar NAME [from "file"] doc "..." [holidays DATE, ...]`: public holidays that
/// `add_business_days(d, n, NAME)` skips.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub name: Ident,
    /// The file beside the policy that lists holidays, one a line.
    pub file: Option<Str>,
    pub doc: Str,
    /// The holidays listed after `holidays`.
    pub holidays: Vec<DateLit>,
    pub span: Span,
}

/// A banded lookup table, called like a function of one value.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: Ident,
    pub param: Ident,
    /// The declared type of the values (`-> money`), if any.
    pub ty: Option<TypeExpr>,
    pub doc: Str,
    pub bands: Vec<Band>,
    pub span: Span,
}

/// One row: the value applies when `over < x <= up_to` (a missing bound is open); `from`
/// makes the lower bound closed (`from A`: `A <= x`), `under` the upper bound open
/// (`under B`: `x < B`).
#[derive(Clone, Debug)]
pub struct Band {
    pub over: Option<Expr>,
    pub up_to: Option<Expr>,
    /// The lower bound is written `from A` (included), not `over A`.
    pub from: bool,
    /// The upper bound is written `under B` (excluded), not `up to B`.
    pub under: bool,
    pub value: Expr,
    pub span: Span,
}

/// `hook name(param: type, ...) -> type from "file.rhai"`.
#[derive(Clone, Debug)]
pub struct HookDecl {
    pub name: Ident,
    pub params: Vec<(Ident, TypeExpr)>,
    pub ret: TypeExpr,
    pub file: Str,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Header {
    pub name: Str,
    pub version: Option<Str>,
    pub effective: Option<DateLit>,
    pub until: Option<DateLit>,
    pub currency: Option<Ident>,
    /// The fact that states the currency of a document's amounts.
    pub currency_from: Option<Path>,
    /// `currency USD, EUR from ...`: the codes listed after the first.
    pub more_currencies: Vec<Ident>,
    /// `currency from PATH`: any currency the document states; the span of `currency`.
    pub any_currency: Option<Span>,
    pub doc: Option<Str>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DateLit {
    pub value: chrono::NaiveDate,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub name: Ident,
    /// `assessed`: a value a person supplies, which a document may leave out; the span
    /// of the word.
    pub assessed: Option<Span>,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeExpr {
    pub optional: bool,
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Scalar(ScalarType),
    Enum(Vec<Ident>),
    Record(Vec<FieldDecl>),
    List(Box<TypeExpr>),
    /// `decision { filed_at: datetime }`: an earlier decision of Proviso, as
    /// `proviso eval --format json` writes it, with fields the caller stores beside it.
    Decision {
        /// The fields written in braces; `None` for `decision` alone.
        extra: Option<Vec<FieldDecl>>,
        /// The built-in fields ([`DECISION_FIELDS`]), then the extra fields: every field a
        /// record of this type has, for code that walks a record's fields.
        fields: Vec<FieldDecl>,
    },
}

/// The fields every `decision` record has, read as `proviso eval --format json` writes them.
pub const DECISION_FIELDS: [&str; 6] = [
    "document", "decision", "payout", "refund", "policy", "reasons",
];

/// The built-in fields of a `decision` record, declared at `span` (the word `decision`):
/// `document: optional string`, `decision: enum { approved, denied, incomplete, referred }`,
/// `payout` and `refund: optional record { amount: money, currency: string }`,
/// `policy: optional record { name: string, version: string }` and
/// `reasons: list of record { rule: string, kind: string }`.
pub fn decision_fields(span: Span) -> Vec<FieldDecl> {
    let ident = |name: &str| Ident {
        name: name.to_string(),
        span,
    };
    let ty = |optional: bool, kind: TypeKind| TypeExpr {
        optional,
        kind,
        span,
    };
    let field = |name: &str, ty: TypeExpr| FieldDecl {
        name: ident(name),
        ty,
        default: None,
        assessed: None,
        span,
    };
    let string = || ty(false, TypeKind::Scalar(ScalarType::String));
    let amount = || {
        TypeKind::Record(vec![
            field("amount", ty(false, TypeKind::Scalar(ScalarType::Money))),
            field("currency", string()),
        ])
    };
    let outcomes = ["approved", "denied", "incomplete", "referred"];
    vec![
        field("document", ty(true, TypeKind::Scalar(ScalarType::String))),
        field(
            "decision",
            ty(
                false,
                TypeKind::Enum(outcomes.iter().map(|o| ident(o)).collect()),
            ),
        ),
        field("payout", ty(true, amount())),
        field("refund", ty(true, amount())),
        field(
            "policy",
            ty(
                true,
                TypeKind::Record(vec![field("name", string()), field("version", string())]),
            ),
        ),
        field(
            "reasons",
            ty(
                false,
                TypeKind::List(Box::new(ty(
                    false,
                    TypeKind::Record(vec![field("rule", string()), field("kind", string())]),
                ))),
            ),
        ),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarType {
    Money,
    Decimal,
    Integer,
    Bool,
    String,
    Date,
    DateTime,
}

/// `const NAME = EXPR` or `let NAME = EXPR`.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `let NAME(PARAM, ...) = EXPR`: a value computed from its arguments at each call.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: Ident,
    pub params: Vec<Ident>,
    pub body: Expr,
    pub span: Span,
}

/// The words that open a rule's clauses, in the order they are shown.
pub const CLAUSE_KEYWORDS: [&str; 11] = [
    "doc",
    "when",
    "pays",
    "reduce by",
    "cap at",
    "floor at",
    "add",
    "by",
    "shows",
    "requires",
    "eligible from",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleKind {
    Coverage,
    Exclusion,
    Referral,
    Evidence,
    Compensation,
    Deadline,
    Fallback,
    Supporting,
    Priority,
    Appeal,
    Note,
    Refund,
    Deduction,
    Refusal,
}

impl RuleKind {
    /// A number for the kind, from 0 in the order of declaration.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Coverage => "coverage",
            RuleKind::Exclusion => "exclusion",
            RuleKind::Referral => "referral",
            RuleKind::Evidence => "evidence",
            RuleKind::Compensation => "compensation",
            RuleKind::Deadline => "deadline",
            RuleKind::Fallback => "fallback",
            RuleKind::Supporting => "supporting",
            RuleKind::Priority => "priority",
            RuleKind::Appeal => "appeal",
            RuleKind::Note => "note",
            RuleKind::Refund => "refund",
            RuleKind::Deduction => "deduction",
            RuleKind::Refusal => "refusal",
        }
    }

    /// Rules that decide claims; the others decide cancellations or both.
    pub fn for_claims(self) -> bool {
        matches!(
            self,
            RuleKind::Coverage
                | RuleKind::Exclusion
                | RuleKind::Referral
                | RuleKind::Evidence
                | RuleKind::Supporting
                | RuleKind::Compensation
                | RuleKind::Deadline
                | RuleKind::Priority
        )
    }

    /// Rules that decide cancellations.
    pub fn for_cancellations(self) -> bool {
        matches!(
            self,
            RuleKind::Refund | RuleKind::Deduction | RuleKind::Refusal
        )
    }
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub kind: RuleKind,
    pub name: Ident,
    pub clauses: Vec<Clause>,
    /// The payout component an amount clause names (`pays X as cash`, `cap cash at 50`),
    /// by the clause's index in `clauses`.
    pub components: Vec<(usize, Ident)>,
    pub span: Span,
}

impl Rule {
    /// The payout component the clause at `index` names, if any.
    pub fn component_of(&self, index: usize) -> Option<&Ident> {
        self.components
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, c)| c)
    }
}

#[derive(Clone, Debug)]
pub enum Clause {
    Doc(Str),
    When(Expr),
    Pays(Expr),
    Reduce(Expr),
    Cap(Expr),
    Floor(Expr),
    /// `add EXPR`: a compensation that pays more.
    Add(Expr),
    By(Expr),
    Shows(Expr),
    Requires(Vec<Alternative>),
    /// `eligible from EXPR`: on an exclusion or a referral, the date or instant from
    /// which the document could be decided otherwise.
    EligibleFrom(Expr),
}

impl Clause {
    /// The keyword that opens the clause, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            Clause::Doc(_) => "doc",
            Clause::When(_) => "when",
            Clause::Pays(_) => "pays",
            Clause::Reduce(_) => "reduce by",
            Clause::Cap(_) => "cap at",
            Clause::Floor(_) => "floor at",
            Clause::Add(_) => "add",
            Clause::By(_) => "by",
            Clause::Shows(_) => "shows",
            Clause::Requires(_) => "requires",
            Clause::EligibleFrom(_) => "eligible from",
        }
    }

    /// The expression a clause holds, for the clauses that hold one.
    pub fn expr(&self) -> Option<&Expr> {
        match self {
            Clause::When(e)
            | Clause::Pays(e)
            | Clause::Reduce(e)
            | Clause::Cap(e)
            | Clause::Floor(e)
            | Clause::Add(e)
            | Clause::By(e)
            | Clause::Shows(e)
            | Clause::EligibleFrom(e) => Some(e),
            Clause::Doc(_) | Clause::Requires(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Clause::Doc(s) => s.span,
            Clause::Requires(alts) => match (alts.first(), alts.last()) {
                (Some(a), Some(b)) => a.span().to(b.span()),
                _ => Span::default(),
            },
            other => other.expr().map_or(Span::default(), |e| e.span),
        }
    }
}

/// One way to satisfy an evidence requirement.
#[derive(Clone, Debug)]
pub enum Alternative {
    /// A document of this kind, optionally with a condition on its attributes.
    Kind {
        kind: Ident,
        condition: Option<Expr>,
    },
    /// Facts of the claim that stand in for a document when all are present.
    Facts { paths: Vec<Path>, span: Span },
}

impl Alternative {
    pub fn span(&self) -> Span {
        match self {
            Alternative::Kind { kind, condition } => condition
                .as_ref()
                .map_or(kind.span, |c| kind.span.to(c.span)),
            Alternative::Facts { span, .. } => *span,
        }
    }
}

/// A dotted name: `order.items`, `claim.type`, `wait`.
#[derive(Clone, Debug)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggKind {
    Sum,
    Count,
    Any,
    All,
    /// The least value of the body; absent when no element is left.
    Min,
    /// The greatest value of the body; absent when no element is left.
    Max,
    /// `the x in L where C`: the one element that matches (no body); evaluating fails
    /// unless exactly one does.
    The,
}

impl AggKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AggKind::Sum => "sum",
            AggKind::Count => "count",
            AggKind::Any => "any",
            AggKind::All => "all",
            AggKind::Min => "min",
            AggKind::Max => "max",
            AggKind::The => "the",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Days,
    Hours,
    /// Calendar months: no fixed length in days.
    Months,
    /// Calendar years: twelve calendar months.
    Years,
}

impl TimeUnit {
    /// The unit as written after `n`: `1 day`, `30 days`, `12 months`.
    pub fn word(self, n: rust_decimal::Decimal) -> &'static str {
        let one = n == rust_decimal::Decimal::ONE;
        match (self, one) {
            (TimeUnit::Days, true) => "day",
            (TimeUnit::Days, false) => "days",
            (TimeUnit::Hours, true) => "hour",
            (TimeUnit::Hours, false) => "hours",
            (TimeUnit::Months, true) => "month",
            (TimeUnit::Months, false) => "months",
            (TimeUnit::Years, true) => "year",
            (TimeUnit::Years, false) => "years",
        }
    }

    /// Whether the unit is a calendar unit (months, years) rather than a fixed length.
    pub fn is_calendar(self) -> bool {
        matches!(self, TimeUnit::Months | TimeUnit::Years)
    }
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Number(
        rust_decimal::Decimal,
        bool, /* written with a decimal point */
    ),
    /// `2%`: the number as written before `%`; its value is a hundredth of it.
    Percent(rust_decimal::Decimal),
    /// `80% of X`: the percentage (an [`ExprKind::Percent`]) and the value it is taken of.
    PercentOf(Box<Expr>, Box<Expr>),
    Str(String),
    Bool(bool),
    Date(chrono::NaiveDate),
    Duration(rust_decimal::Decimal, TimeUnit),
    Path(Path),
    List(Vec<Expr>),
    /// An amount in each currency, `{ USD: 5, EUR: 4.50 }`: only a constant's value. Each
    /// amount is a [`ExprKind::Number`].
    Amounts(Vec<(Ident, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Otherwise(Box<Expr>, Box<Expr>),
    IsPresent(
        Box<Expr>,
        bool, /* true: `is present`, false: `is absent` */
    ),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Ident, Vec<Expr>),
    /// Fields of a bracketed record: `(the i in L where C).quantity`.
    Access(Box<Expr>, Vec<Ident>),
    Aggregate {
        kind: AggKind,
        var: Ident,
        list: Path,
        filter: Option<Box<Expr>>,
        body: Option<Box<Expr>>,
    },
}
