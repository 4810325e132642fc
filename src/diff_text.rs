//! The text of a diff between two policy versions: what `proviso diff` prints and the
//! compliance report shows (policy text as written: the command escapes control
//! characters, the report escapes HTML).

use std::fmt::Write;

use crate::diff::{Change, ChangeKind, PolicyDiff, RuleChange, RuleForm};

/// The changes of a diff as lines of text, after the lines that name the two versions
/// (`--- NAME VERSION  FILE`, `+++ ...`, which the caller writes): each section that changed, headed by an empty line and its title, then an
/// empty line and the summary.
pub fn text(d: &PolicyDiff) -> String {
    let mut out = String::new();
    // Written into a string: it cannot fail.
    let _ = write_text(&mut out, d);
    out
}

fn write_text(out: &mut String, d: &PolicyDiff) -> std::fmt::Result {
    let sections = [
        ("header", &d.header),
        ("facts", &d.facts),
        ("constants", &d.constants),
        ("derived values", &d.lets),
        ("evidence source", &d.evidence_source),
        ("tables", &d.tables),
        ("hooks", &d.hooks),
        ("hook scripts", &d.hook_scripts),
        ("calendars", &d.calendars),
    ];
    for (title, changes) in sections {
        if changes.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}")?;
        for c in changes {
            entry(out, 2, c)?;
        }
    }
    if !d.rules.is_empty() {
        writeln!(out, "\nrules")?;
        for r in &d.rules {
            rule(out, r)?;
        }
    }
    if !d.rule_order.is_empty() {
        writeln!(
            out,
            "\nrule order (the first coverage rule that holds pays; compensation applies in order)"
        )?;
        for o in &d.rule_order {
            let change = Change {
                name: o.kind.into(),
                change: ChangeKind::Changed,
                old: Some(o.old.join(", ")),
                new: Some(o.new.join(", ")),
                affects: Vec::new(),
            };
            entry(out, 2, &change)?;
        }
    }
    writeln!(out, "\n{}", summary(d))
}

/// `3 changes, besides the version label and dates`, `1 change`, `no changes`.
pub fn summary(d: &PolicyDiff) -> String {
    let n = d.changes();
    let count = match n {
        0 => "no changes".to_string(),
        1 => "1 change".to_string(),
        n => format!("{n} changes"),
    };
    if d.dating().is_empty() {
        count
    } else {
        format!("{count}, besides the version label and dates")
    }
}

/// Old and new on one line when both are short, else on lines of their own.
const ONE_LINE: usize = 60;

fn entry(out: &mut String, indent: usize, c: &Change) -> std::fmt::Result {
    let pad = " ".repeat(indent);
    match (c.change, &c.old, &c.new) {
        (ChangeKind::Changed, Some(a), Some(b)) if a.len() + b.len() <= ONE_LINE => {
            writeln!(out, "{pad}~ {}: {a} -> {b}", c.name)?;
        }
        (ChangeKind::Changed, Some(a), Some(b)) => {
            writeln!(out, "{pad}~ {}", c.name)?;
            writeln!(out, "{pad}    - {a}")?;
            writeln!(out, "{pad}    + {b}")?;
        }
        (_, Some(a), None) => writeln!(out, "{pad}- {}: {a}", c.name)?,
        (_, _, Some(b)) => writeln!(out, "{pad}+ {}: {b}", c.name)?,
        (_, None, None) => writeln!(out, "{pad}~ {}", c.name)?,
    }
    if !c.affects.is_empty() {
        writeln!(out, "{pad}    affects {}", c.affects.join(", "))?;
    }
    Ok(())
}

fn rule(out: &mut String, r: &RuleChange) -> std::fmt::Result {
    let position = r
        .position
        .as_ref()
        .map(|p| format!(" (evaluated {p})"))
        .unwrap_or_default();
    match (r.change, &r.old, &r.new) {
        (ChangeKind::Added, _, Some(form)) => {
            writeln!(out, "  + {} {}{position}", r.kind, r.rule)?;
            clauses(out, form)
        }
        (ChangeKind::Removed, Some(form), _) => {
            writeln!(out, "  - {} {}", r.kind, r.rule)?;
            clauses(out, form)
        }
        _ => {
            writeln!(out, "  ~ {} {}{position}", r.kind, r.rule)?;
            for c in &r.differences {
                entry(out, 6, c)?;
            }
            Ok(())
        }
    }
}

fn clauses(out: &mut String, form: &RuleForm) -> std::fmt::Result {
    for (keyword, text) in &form.clauses {
        writeln!(out, "      {keyword:<9} {text}")?;
    }
    Ok(())
}
