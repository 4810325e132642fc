//! The report's pages as HTML: an index of the policies and their versions, and a page per
//! policy. Each page is one file: its stylesheet inline (with a print stylesheet), no
//! script, nothing loaded from elsewhere, and every text from a policy escaped.

use std::fmt::Write;

use super::escape::{anchor, html};
use super::model::{
    Assumption, CoverageSummary, Mark, Model, PolicyModel, RuleModel, TableModel, VersionDiff,
    VersionModel,
};
use super::Page;
use crate::testing::Counts;

/// The stylesheet of every page: for screens, and for print (no navigation, each version
/// on new pages, rules kept whole, links to other pages followed by their file).
pub const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b;
  max-width: 80rem; margin: 0 auto; padding: 0 1.5rem 3rem; }
nav.chrome { position: sticky; top: 0; background: #f3f4f6; border-bottom: 1px solid #c8ccd2;
  margin: 0 -1.5rem 1rem; padding: .5rem 1.5rem; }
nav.chrome a { margin-right: .75rem; }
h1 { font-size: 1.7rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
h4 { font-size: 1rem; margin: 0; }
a { color: #1a4f8b; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #c8ccd2; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
.sha { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; word-break: break-all; }
dl.about { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.about dt { font-weight: 600; }
dl.about dd { margin: 0; }
.clause { margin: 0; padding: .5rem .75rem; border-left: 4px solid #5b7fa6; background: #f4f7fb; }
.rule, .table { border: 1px solid #c8ccd2; border-radius: 4px; margin: 1rem 0; padding: .6rem 1rem; }
.head { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; margin-bottom: .5rem; }
.kind { font-variant: small-caps; color: #4a4f57; }
.where { color: #4a4f57; }
.pair { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 1rem; }
pre.code { margin: 0; padding: .5rem .75rem; background: #f6f6f6; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.date { white-space: nowrap; }
pre.diff { padding: .5rem .75rem; background: #f6f6f6; overflow-x: auto; }
.mark { font-weight: 600; }
.covered { color: #1d6b2b; }
.not-covered { color: #a31515; }
.exempt { color: #7a5b00; }
.no-tests { color: #4a4f57; }
.diff .add { color: #1d6b2b; }
.diff .del { color: #a31515; }
.diff .chg { color: #7a5b00; }
.diff .title { font-weight: 700; }
ol.assumptions li { margin-bottom: .4rem; }
footer { margin-top: 3rem; color: #4a4f57; font-size: .85rem; }
@media (max-width: 55rem) { .pair { grid-template-columns: 1fr; } }
@media print {
  @page { margin: 15mm; }
  body { font-size: 10pt; max-width: none; padding: 0; color: #000; }
  nav.chrome, .chrome { display: none; }
  .version { break-before: page; }
  .rule, .table, tr, ol.assumptions li, dl.about { break-inside: avoid; }
  h2, h3, h4, .head { break-after: avoid; }
  pre.code, pre.diff { white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible; }
  .pair { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
  a { color: inherit; text-decoration: none; }
  a[href$=".html"]::after { content: " (" attr(href) ")"; font-size: 90%; }
  .clause, pre.code, pre.diff, th { background: none; }
}
"#;

/// Every page: the index, then one per policy.
pub fn pages(model: &Model) -> Vec<Page> {
    let mut pages = vec![Page {
        file: "index.html".into(),
        html: index(model),
    }];
    for p in &model.policies {
        pages.push(Page {
            file: page_file(&p.name),
            html: policy(p),
        });
    }
    pages
}

/// The file of a policy's page: its name with `/` as `.` (`xcotton.shipping-protection.html`).
/// A policy named `index` gets `index..html`, which no other name makes (a name's parts
/// are never empty), so that its page never replaces the index.
pub fn page_file(name: &str) -> String {
    let parts: Vec<String> = name.split('/').map(anchor).collect();
    match parts.join(".") {
        stem if stem == "index" => "index..html".into(),
        stem => format!("{stem}.html"),
    }
}

/// The identifier of a version's section: `v-2025-01-01`.
fn version_id(label: &str) -> String {
    format!("v-{}", anchor(label))
}

/// The identifier of a rule or table of a version: `v-2025-01-01-lost_package`.
fn item_id(label: &str, name: &str) -> String {
    format!("{}-{}", version_id(label), anchor(name))
}

fn head(out: &mut String, title: &str) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", html(title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
}

fn foot(out: &mut String) {
    out.push_str(
        "<footer>Written by <code>proviso report</code>. The clause texts are the policy \
         files' <code>doc</code> texts, the rules are shown as written, and the coverage is \
         that of <code>proviso test --coverage</code>.</footer>\n</body>\n</html>\n",
    );
}

/// `197 passed, 0 failed, 0 errors`, or that there are no tests.
fn tests_line(tests: Option<Counts>) -> String {
    match tests {
        None => "no tests: no test files were found beside the policies".into(),
        Some(c) => {
            let errors = match c.errors {
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            let details = match c.failed + c.errors {
                0 => "",
                _ => " (`proviso test` shows each)",
            };
            format!(
                "test cases: {} passed, {} failed, {errors}{details}",
                c.passed, c.failed
            )
        }
    }
}

/// The last day in force: `2024-12-31`, or `open` (as `proviso versions` shows it).
fn until(v: &VersionModel) -> String {
    v.info.until.map_or("open".into(), |day| day.to_string())
}

fn coverage(c: Option<&CoverageSummary>) -> String {
    match c {
        None => "no tests".into(),
        Some(c) => {
            let cases = match c.documents {
                1 => "1 test case".to_string(),
                n => format!("{n} test cases"),
            };
            format!(
                "{} of {} rules decided ({}%), in {cases}",
                c.decided, c.total, c.percent
            )
        }
    }
}

fn index(model: &Model) -> String {
    let mut out = String::new();
    head(&mut out, "Compliance report");
    out.push_str("<header>\n<h1>Compliance report</h1>\n");
    let _ = writeln!(
        out,
        "<p>Every policy and each of its versions: the clause texts of the terms beside the \
         rules that implement them, the assumptions the authors wrote, the dates in force, \
         the SHA-256 that decisions cite, and what changed from version to version.</p>\n\
         <p class=\"tests\">{}</p>\n</header>",
        html(&tests_line(model.tests))
    );
    if model.policies.is_empty() {
        out.push_str("<p>No policies were found.</p>\n");
    } else {
        out.push_str(
            "<table class=\"policies\">\n<thead><tr><th>policy</th><th>version</th>\
             <th>in force from</th><th>until</th><th>sha256</th><th>rules</th>\
             <th>test coverage</th></tr></thead>\n<tbody>\n",
        );
        for p in &model.policies {
            let page = html(&page_file(&p.name));
            for v in &p.versions {
                let label = &v.info.version;
                let _ = writeln!(
                    out,
                    "<tr><td><a href=\"{page}\">{}</a></td><td class=\"date\"><a href=\"{page}#{}\">{}</a>\
                     </td><td class=\"date\">{}</td><td class=\"date\">{}</td><td class=\"sha\">{}</td><td>{}</td>\
                     <td>{}</td></tr>",
                    html(&p.name),
                    version_id(label),
                    html(label),
                    v.info.effective,
                    until(v),
                    html(&v.info.sha256),
                    v.rules.len(),
                    coverage(v.coverage.as_ref()),
                );
            }
        }
        out.push_str("</tbody>\n</table>\n");
    }
    foot(&mut out);
    out
}

fn policy(p: &PolicyModel) -> String {
    let mut out = String::new();
    head(&mut out, &format!("{}: compliance report", p.name));
    out.push_str("<nav class=\"chrome\"><a href=\"index.html\">All policies</a>");
    out.push_str("<a href=\"#history\">History</a>");
    for v in &p.versions {
        let label = &v.info.version;
        let _ = write!(
            out,
            "<a href=\"#{}\">Version {}</a>",
            version_id(label),
            html(label)
        );
    }
    out.push_str("</nav>\n");
    let count = match p.versions.len() {
        1 => "1 version".to_string(),
        n => format!("{n} versions"),
    };
    let _ = writeln!(
        out,
        "<header>\n<h1>Policy <code>{}</code></h1>\n<p>{count}. Each rule's clause text is \
         shown beside the rule that implements it, as written, with its place in the policy \
         file and whether the policy's test cases cover it.</p>\n</header>",
        html(&p.name)
    );
    history(&mut out, p);
    for v in &p.versions {
        version(&mut out, &p.name, v);
    }
    foot(&mut out);
    out
}

fn history(out: &mut String, p: &PolicyModel) {
    out.push_str(
        "<section id=\"history\">\n<h2>Version history</h2>\n<table class=\"history\">\n\
         <thead><tr><th>version</th><th>in force from</th><th>until</th><th>sha256</th>\
         <th>file</th></tr></thead>\n<tbody>\n",
    );
    for v in &p.versions {
        let label = &v.info.version;
        let _ = writeln!(
            out,
            "<tr><td class=\"date\"><a href=\"#{}\">{}</a></td><td class=\"date\">{}</td><td class=\"date\">{}</td>\
             <td class=\"sha\">{}</td><td><code>{}</code></td></tr>",
            version_id(label),
            html(label),
            v.info.effective,
            until(v),
            html(&v.info.sha256),
            html(&v.info.file),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    for v in &p.versions {
        if let Some(d) = &v.diff {
            diff(out, v, d);
        }
    }
    out.push_str("</section>\n");
}

fn diff(out: &mut String, v: &VersionModel, d: &VersionDiff) {
    let (old, new) = (&d.previous, &v.info);
    let _ = writeln!(
        out,
        "<div class=\"diff-block\">\n<h3 id=\"diff-{}\">Changes from {} to {}: {}</h3>",
        anchor(&new.version),
        html(&old.version),
        html(&new.version),
        html(&d.summary)
    );
    out.push_str("<pre class=\"diff\">");
    for (mark, m) in [("---", old), ("+++", new)] {
        let _ = writeln!(
            out,
            "<span class=\"title\">{mark} {} {}  {}</span>",
            html(&m.name),
            html(&m.version),
            html(&m.file)
        );
    }
    for line in d.text.lines() {
        let class = match line.trim_start().get(..2) {
            Some("+ ") => "add",
            Some("- ") => "del",
            Some("~ ") => "chg",
            _ if !line.is_empty() && !line.starts_with(' ') => "title",
            _ => "",
        };
        if class.is_empty() {
            let _ = writeln!(out, "{}", html(line));
        } else {
            let _ = writeln!(out, "<span class=\"{class}\">{}</span>", html(line));
        }
    }
    out.push_str("</pre>\n</div>\n");
}

fn version(out: &mut String, name: &str, v: &VersionModel) {
    let label = &v.info.version;
    let _ = writeln!(
        out,
        "<section class=\"version\" id=\"{}\">\n<h2>{} version {}</h2>",
        version_id(label),
        html(name),
        html(label)
    );
    let _ = writeln!(
        out,
        "<dl class=\"about\">\n<dt>in force</dt><dd>from {}{}</dd>\n\
         <dt>sha256</dt><dd class=\"sha\">{}</dd>\n<dt>file</dt><dd><code>{}</code></dd>\n\
         <dt>currency</dt><dd>{}</dd>\n<dt>rules</dt><dd>{}</dd>\n\
         <dt>test coverage</dt><dd>{}</dd>\n</dl>",
        v.info.effective,
        v.info
            .until
            .map_or(", with no end date".into(), |day| format!(" until {day}")),
        html(&v.info.sha256),
        html(&v.info.file),
        html(&v.currency),
        v.rules.len(),
        coverage(v.coverage.as_ref()),
    );
    let _ = writeln!(
        out,
        "<blockquote class=\"clause\">{}</blockquote>",
        html(&v.doc)
    );
    assumptions(out, label, &v.assumptions);
    let _ = writeln!(out, "<h3>Rules</h3>");
    for r in &v.rules {
        rule(out, label, r);
    }
    if !v.tables.is_empty() {
        let _ = writeln!(out, "<h3>Tables</h3>");
        for t in &v.tables {
            table(out, label, t);
        }
    }
    if !v.calendars.is_empty() {
        let _ = writeln!(out, "<h3>Calendars</h3>");
        for c in &v.calendars {
            table(out, label, c);
        }
    }
    out.push_str("</section>\n");
}

fn assumptions(out: &mut String, label: &str, list: &[Assumption]) {
    out.push_str("<h3>Assumptions</h3>\n");
    if list.is_empty() {
        out.push_str("<p>The clause texts state no assumption (\"Assumed: ...\").</p>\n");
        return;
    }
    out.push_str("<ol class=\"assumptions\">\n");
    for a in list {
        let whose = match &a.item {
            Some(item) => format!(
                "<a href=\"#{}\">{} <code>{}</code></a>",
                item_id(label, &item.name),
                html(&item.kind),
                html(&item.name)
            ),
            None => format!(
                "<a href=\"#{}\">the policy's description</a>",
                version_id(label)
            ),
        };
        let _ = writeln!(out, "<li>{} ({whose})</li>", html(&a.text));
    }
    out.push_str("</ol>\n");
}

fn mark(m: &Mark) -> String {
    match m {
        Mark::NoTests => "<p class=\"mark no-tests\">no tests</p>".into(),
        Mark::NotCovered => {
            "<p class=\"mark not-covered\">✗ not covered: no test case makes it decide</p>".into()
        }
        Mark::Exempt(why) => format!(
            "<p class=\"mark exempt\">exempt from coverage: {}</p>",
            html(why)
        ),
        Mark::Covered { cases, one_sided } => {
            let cases = match cases {
                1 => "1 test case".to_string(),
                n => format!("{n} test cases"),
            };
            let held = match one_sided {
                Some(true) => "; its condition always held in them",
                Some(false) => "; its condition never held in them",
                None => "",
            };
            format!("<p class=\"mark covered\">✓ covered: decides in {cases}{held}</p>")
        }
    }
}

fn rule(out: &mut String, label: &str, r: &RuleModel) {
    let _ = writeln!(
        out,
        "<article class=\"rule\" id=\"{}\">\n<div class=\"head\"><h4><span class=\"kind\">{}</span> \
         <code>{}</code></h4><span class=\"where\"><code>{}</code></span>{}</div>\n\
         <div class=\"pair\"><blockquote class=\"clause\">{}</blockquote>\
         <pre class=\"code\"><code>{}</code></pre></div>\n</article>",
        item_id(label, &r.name),
        r.kind,
        html(&r.name),
        html(&r.source),
        mark(&r.mark),
        html(&r.text),
        html(&r.code),
    );
}

fn table(out: &mut String, label: &str, t: &TableModel) {
    let _ = writeln!(
        out,
        "<article class=\"table\" id=\"{}\">\n<div class=\"head\"><h4><span class=\"kind\">table\
         </span> <code>{}</code></h4><span class=\"where\"><code>{}</code></span></div>\n\
         <div class=\"pair\"><blockquote class=\"clause\">{}</blockquote>\
         <pre class=\"code\"><code>{}</code></pre></div>\n</article>",
        item_id(label, &t.name),
        html(&t.name),
        html(&t.source),
        html(&t.text),
        html(&t.code),
    );
}
