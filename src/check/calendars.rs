//! Calendars: their names, their listed holidays, and the calendar a call names.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::names::suggest;
use super::Checker;
use crate::ast;
use crate::span::Span;

/// A calendar's name, its listed holidays and the file it reads more from (with the span
/// of the file's name), as checked; the file's holidays are added when it is read.
#[derive(Clone, Debug)]
pub struct CalendarSig {
    pub name: String,
    pub file: Option<(String, Span)>,
    pub holidays: Vec<NaiveDate>,
}

impl<'a> Checker<'a> {
    /// Indexes the calendars: a name no function or other calendar has, holidays listed
    /// or read from a file, each date once.
    pub(super) fn index_calendars(&mut self) {
        let ast = self.ast;
        for c in &ast.calendars {
            let name = c.name.name.as_str();
            let taken = if crate::ir::Builtin::by_name(name).is_some() {
                Some("a built-in function")
            } else if self.table_index.contains_key(name) {
                Some("a table")
            } else if self.hook_index.contains_key(name) {
                Some("a hook")
            } else if self.calendar_index.contains_key(name) {
                Some("a calendar")
            } else {
                None
            };
            if let Some(what) = taken {
                self.error(
                    c.name.span,
                    format!("`{name}` is already {what}"),
                    "name taken",
                    Some("give the calendar a name of its own, like `us_federal`".into()),
                );
                continue;
            }
            if c.file.is_none() && c.holidays.is_empty() {
                self.error(
                    c.name.span,
                    format!("calendar `{name}` has no holidays"),
                    "no holidays",
                    Some(format!(
                        "list them: `holidays 2025-01-01, 2025-12-25`, or read them from a file \
                         beside the policy: `calendar {name} from \"{name}.txt\"`"
                    )),
                );
                continue;
            }
            let mut seen: HashMap<NaiveDate, Span> = HashMap::new();
            let mut holidays = Vec::new();
            for d in &c.holidays {
                if let Some(first) = seen.insert(d.value, d.span) {
                    let (line, col) = self.file.line_col(first.start);
                    self.error(
                        d.span,
                        format!(
                            "calendar `{name}` lists {} twice",
                            crate::value::format_date(d.value)
                        ),
                        "listed before",
                        Some(format!("remove one: the first is at {line}:{col}")),
                    );
                } else {
                    holidays.push(d.value);
                }
            }
            self.calendar_index.insert(name, self.calendars.len());
            self.calendars.push(CalendarSig {
                name: name.to_string(),
                file: c.file.as_ref().map(|f| (f.value.clone(), f.span)),
                holidays,
            });
        }
    }

    /// The calendar `arg` names, as the third argument of `add_business_days`.
    pub(super) fn calendar_arg(&mut self, arg: &ast::Expr) -> Option<usize> {
        let name = match &arg.kind {
            ast::ExprKind::Path(p) if p.segments.len() == 1 => p.dotted(),
            _ => {
                self.error(
                    arg.span,
                    "the third argument of `add_business_days` names a calendar",
                    "not a calendar name",
                    Some(self.calendar_help(None)),
                );
                return None;
            }
        };
        if let Some(&i) = self.calendar_index.get(name.as_str()) {
            return Some(i);
        }
        let help = self.calendar_help(Some(&name));
        self.error(
            arg.span,
            format!("unknown calendar `{name}`"),
            "no such calendar",
            Some(help),
        );
        None
    }

    fn calendar_help(&self, name: Option<&str>) -> String {
        let mut names: Vec<&str> = self.calendar_index.keys().copied().collect();
        names.sort_unstable();
        if let Some(s) = name.and_then(|n| suggest(n, &names)) {
            return format!("did you mean `{s}`?");
        }
        if names.is_empty() {
            "declare one: `calendar us_federal doc \"...\" holidays 2025-01-01, 2025-12-25`".into()
        } else {
            let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("the calendars are: {}", listed.join(", "))
        }
    }
}
