//! Durations and plain numbers mixed up (`age >= 21` for `21 days`): the mistake located
//! at the number or duration written, with the expression rewritten as it should read.

use crate::ast::{self, BinOp, ExprKind};
use crate::print;
use crate::span::Span;
use crate::types::Base;

/// A diagnostic's parts: where, message, label, help.
pub(super) type Hint = (Span, String, String, String);

fn is_number(b: &Base) -> bool {
    matches!(b, Base::Integer | Base::Decimal)
}

/// `l op r` with one side written in place of `with`: printed canonically.
fn rewritten(op: BinOp, l: &ast::Expr, r: &ast::Expr, left: bool, with: &str) -> String {
    let (a, b) = if left {
        (with.to_string(), print::expr(r))
    } else {
        (print::expr(l), with.to_string())
    };
    format!("{a} {} {b}", op.symbol())
}

/// A comparison of a duration with a plain number, or of a number with a duration written
/// with its unit: what to write instead.
pub(super) fn compared(
    op: BinOp,
    (lt, l): (&Base, &ast::Expr),
    (rt, r): (&Base, &ast::Expr),
) -> Option<Hint> {
    let (dur_left, num, dur) = match (lt, rt) {
        (Base::Duration, n) if is_number(n) => (true, r, l),
        (n, Base::Duration) if is_number(n) => (false, l, r),
        _ => return None,
    };
    if let ExprKind::Number(..) = num.kind {
        let n = print::expr(num);
        let fixed = rewritten(op, l, r, !dur_left, &format!("{n} days"));
        return Some((
            num.span,
            format!("a duration cannot be compared with the plain number `{n}`"),
            "a number, without a unit".to_string(),
            format!("write the number with its unit, `{n} days` or `{n} hours`: `{fixed}`"),
        ));
    }
    if let ExprKind::Duration(..) = dur.kind {
        let d = print::expr(dur);
        let bare = d.split(' ').next().unwrap_or("");
        let fixed = rewritten(op, l, r, dur_left, bare);
        return Some((
            dur.span,
            format!("a plain number cannot be compared with the duration `{d}`"),
            "a duration".to_string(),
            format!("a number compares with a number: write `{bare}`, without the unit: `{fixed}`"),
        ));
    }
    Some((
        l.span.to(r.span),
        format!(
            "cannot compare a duration with a plain number using `{}`",
            op.symbol()
        ),
        "mismatched comparison".to_string(),
        format!(
            "make the number a duration by giving it a unit: `{} * 1 days`",
            print::expr(num)
        ),
    ))
}

/// Calendar months compared with a duration of fixed length (`age <= 12 months`, where
/// `age` is `filed_at - placed_at`): a month has no fixed number of days.
pub(super) fn calendar_compared(
    op: BinOp,
    left: (&Base, &ast::Expr),
    right: (&Base, &ast::Expr),
) -> Option<Hint> {
    calendar_with_duration(
        left,
        right,
        format!("it cannot be compared with a duration using `{}`", op.symbol()),
        "compare dates instead, moving one by the months: `claim.filed_at <= order.placed_at + 12 months`",
    )
}

/// Calendar months added to (or subtracted from) a duration of fixed length, or a date
/// moved by a plain number written with `months`: no fixed length either way.
pub(super) fn calendar_moved(
    op: BinOp,
    left: (&Base, &ast::Expr),
    right: (&Base, &ast::Expr),
) -> Option<Hint> {
    calendar_with_duration(
        left,
        right,
        format!("`{}` cannot combine it with a duration", op.symbol()),
        "move a date by each in turn: `order.placed_at + 12 months + 30 days`",
    )
}

/// Calendar months on one side and a duration on the other: the months, said to have no
/// fixed length, so that `what` (the operation) fails, with `help`.
fn calendar_with_duration(
    (lt, l): (&Base, &ast::Expr),
    (rt, r): (&Base, &ast::Expr),
    what: String,
    help: &str,
) -> Option<Hint> {
    let months = match (lt, rt) {
        (Base::Months, Base::Duration) => l,
        (Base::Duration, Base::Months) => r,
        _ => return None,
    };
    Some((
        l.span.to(r.span),
        format!(
            "`{}` is in calendar months, which have no fixed length, so {what}",
            print::expr(months),
        ),
        "months and a duration".to_string(),
        help.to_string(),
    ))
}

/// A date or instant moved by a plain number (`order.placed_at + 30`): the number needs a unit.
pub(super) fn moved(
    op: BinOp,
    (lt, l): (&Base, &ast::Expr),
    (rt, r): (&Base, &ast::Expr),
) -> Option<Hint> {
    let dated = |b: &Base| matches!(b, Base::Date | Base::DateTime);
    let num = match (lt, rt) {
        (d, n) if dated(d) && is_number(n) => r,
        (n, d) if dated(d) && is_number(n) && op == BinOp::Add => l,
        _ => return None,
    };
    let ExprKind::Number(..) = num.kind else {
        return None;
    };
    let n = print::expr(num);
    let left = std::ptr::eq(num, l);
    let fixed = rewritten(op, l, r, left, &format!("{n} days"));
    Some((
        num.span,
        format!("a date moves by a duration, not by the plain number `{n}`"),
        "a number, without a unit".to_string(),
        format!("write the number with its unit, `{n} days` or `{n} hours`: `{fixed}`"),
    ))
}
