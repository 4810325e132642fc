//! `proviso report`: the compliance report's pages, fragment by fragment (clause texts
//! beside rules, places, coverage marks, assumptions, sha256s, diffs, escaping), and its
//! refusals.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use proviso::internals::report::escape::{anchor, html};
use proviso::internals::report::html::page_file;
use support::{proviso, Run};

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("report")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Runs the binary in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts that `page` holds `fragment`; else shows how much of it the page holds, and what
/// follows there instead.
#[track_caller]
fn has(page: &str, fragment: &str) {
    if page.contains(fragment) {
        return;
    }
    let mut ends = fragment.char_indices().map(|(i, _)| i).collect::<Vec<_>>();
    ends.push(fragment.len());
    let held = ends
        .into_iter()
        .rev()
        .find(|&i| page.contains(&fragment[..i]))
        .unwrap_or(0);
    let prefix = &fragment[..held];
    let at = page.find(prefix).unwrap_or(0) + prefix.len();
    let instead: String = page[at..].chars().take(200).collect();
    panic!("no\n{fragment}\nthe page holds\n{prefix}\nthen\n{instead}");
}

/// The report of the bundled policies, written once into a scratch folder.
fn bundled(test: &str) -> PathBuf {
    let out = scratch(test);
    let run = proviso(&["report", "policies", "--out", out.to_str().unwrap()]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    let wrote: Vec<String> = [
        "index.html",
        "marketplace.shipping-insurance.html",
        "xcotton.product-protection.html",
        "xcotton.shipping-protection.html",
    ]
    .iter()
    .map(|f| format!("wrote {}\n", out.join(f).display()))
    .collect();
    assert_eq!(run.stdout, wrote.concat());
    out
}

#[test]
fn rules_beside_their_clause_texts_with_their_places() {
    let out = bundled("rules");
    let page = read(&out.join("xcotton.shipping-protection.html"));
    has(
        &page,
        "<article class=\"rule\" id=\"v-2025-01-01-lost_package\">\n<div class=\"head\"><h4>\
         <span class=\"kind\">coverage</span> <code>lost_package</code></h4><span class=\"where\">\
         <code>policies/xcotton/shipping-protection/2025-01-01.proviso:273:1</code></span>",
    );
    has(
        &page,
        "<blockquote class=\"clause\">Lost Packages: logistics does not show delivery; package not \
         delivered within 30 days (domestic) or 60 days (international). Lost goods are refunded \
         or reshipped based on discounted order value.</blockquote><pre class=\"code\"><code>\
         coverage lost_package\n  doc &quot;Lost Packages: logistics does not show delivery; \
         package not delivered within&quot;\n      &quot;{domestic_wait} (domestic) or \
         {international_wait} (international). Lost goods are&quot;",
    );
    // Every rule of every version is on its policy's page, in its version's section.
    for v in ["2024-01-01", "2025-01-01"] {
        let n = page
            .matches(&format!("<article class=\"rule\" id=\"v-{v}-"))
            .count();
        let rules = read(
            &support::root().join(format!("policies/xcotton/shipping-protection/{v}.proviso")),
        )
        .lines()
        .filter(|l| {
            let word = l.split(' ').next().unwrap_or("");
            l.split(' ').count() == 2
                && [
                    "coverage",
                    "exclusion",
                    "referral",
                    "evidence",
                    "supporting",
                    "compensation",
                    "deadline",
                    "fallback",
                    "priority",
                    "appeal",
                    "note",
                    "refund",
                    "deduction",
                    "refusal",
                ]
                .contains(&word)
        })
        .count();
        assert_eq!(n, rules, "{v}");
        assert!(n > 40, "{v}: {n} rules");
    }
    // A table, beside its rows as written.
    let marketplace = read(&out.join("marketplace.shipping-insurance.html"));
    has(
        &marketplace,
        "<article class=\"table\" id=\"v-2025-01-01-tier_maximum\">\n<div class=\"head\"><h4>\
         <span class=\"kind\">table</span> <code>tier_maximum</code></h4><span class=\"where\">\
         <code>policies/marketplace/shipping-insurance/2025-01-01.proviso:104:1</code></span></div>",
    );
}

#[test]
fn coverage_marks_as_proviso_test_computes_them() {
    let out = bundled("coverage");
    let product = read(&out.join("xcotton.product-protection.html"));
    has(
        &product,
        "<p class=\"mark exempt\">exempt from coverage: every cause is covered, excluded or \
         referred first</p>",
    );
    let index = read(&out.join("index.html"));
    let run = proviso(&["test", "policies"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let summary = run.stdout.trim_end();
    has(
        &index,
        &format!("<p class=\"tests\">test cases: {summary}</p>"),
    );
    // The coverage of each version, as `proviso test --coverage` prints it.
    let run = proviso(&["test", "--coverage", "policies"]);
    let mut versions = 0;
    for line in run.stdout.lines().filter(|l| l.starts_with("coverage ")) {
        // coverage NAME VERSION: D of T rules decided (P%)[, N exempt]
        let (head, rest) = line.split_once(": ").unwrap();
        let version = head.rsplit(' ').next().unwrap();
        let counted = rest.split(", ").next().unwrap();
        has(&index, &format!("#v-{version}\">{version}</a>"));
        has(&index, &format!("<td>{counted}, in "));
        versions += 1;
    }
    assert_eq!(versions, 4);
}

#[test]
fn assumptions_link_to_their_rules() {
    let out = bundled("assumptions");
    let page = read(&out.join("xcotton.shipping-protection.html"));
    has(
        &page,
        "<li>Assumed: a parcel with no shipment date has not shipped, so it cannot be lost yet; \
         the days run from the shipment date to the filing date in UTC. (<a \
         href=\"#v-2025-01-01-lost_waiting_period\">exclusion <code>lost_waiting_period</code>\
         </a>)</li>",
    );
    has(
        &page,
        "<article class=\"rule\" id=\"v-2025-01-01-lost_waiting_period\">",
    );
    // Assumptions in a table's text link to the table.
    let marketplace = read(&out.join("marketplace.shipping-insurance.html"));
    has(
        &marketplace,
        "(<a href=\"#v-2025-01-01-tier_maximum\">table <code>tier_maximum</code></a>)</li>",
    );
}

#[test]
fn sha256s_are_those_proviso_versions_prints() {
    let out = bundled("sha256");
    let run = proviso(&["versions", "policies", "--format", "json"]);
    assert_eq!(run.code, 0);
    let index = read(&out.join("index.html"));
    let mut n = 0;
    for line in run.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (name, version) = (v["name"].as_str().unwrap(), v["version"].as_str().unwrap());
        let sha = v["sha256"].as_str().unwrap();
        let until = v["until"].as_str().unwrap_or("open");
        let page_file = format!("{}.html", name.replace('/', "."));
        let page = read(&out.join(&page_file));
        has(
            &page,
            &format!(
                "<tr><td class=\"date\"><a href=\"#v-{version}\">{version}</a></td><td \
                 class=\"date\">{}</td><td class=\"date\">{until}</td><td class=\"sha\">{sha}</td><td><code>{}\
                 </code></td></tr>",
                v["effective"].as_str().unwrap(),
                v["file"].as_str().unwrap()
            ),
        );
        has(
            &page,
            &format!("<dt>sha256</dt><dd class=\"sha\">{sha}</dd>"),
        );
        has(
            &index,
            &format!(
                "<tr><td><a href=\"{page_file}\">{name}</a></td><td class=\"date\"><a \
                 href=\"{page_file}#v-{version}\">{version}</a></td>"
            ),
        );
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn the_changes_between_versions_are_those_proviso_diff_prints() {
    let out = bundled("diff");
    let page = read(&out.join("xcotton.shipping-protection.html"));
    has(
        &page,
        "<h3 id=\"diff-2025-01-01\">Changes from 2024-01-01 to 2025-01-01: 3 changes, besides the \
         version label and dates</h3>",
    );
    has(
        &page,
        "<span class=\"chg\">  ~ international_wait: 45 days -&gt; 60 days</span>\n      affects \
         let wait, exclusion lost_waiting_period\n",
    );
    // Line for line the text of `proviso diff`, escaped.
    let run = proviso(&[
        "diff",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
    ]);
    assert_eq!(run.code, 0);
    let start = page.find("<pre class=\"diff\">").unwrap() + "<pre class=\"diff\">".len();
    let end = start + page[start..].find("</pre>").unwrap();
    let shown: String = page[start..end]
        .lines()
        .map(|l| {
            let l = l.strip_suffix("</span>").unwrap_or(l);
            let l = l
                .find("\">")
                .filter(|_| l.starts_with("<span"))
                .map_or(l, |i| &l[i + 2..]);
            format!("{l}\n")
        })
        .collect();
    assert_eq!(shown, html(&run.stdout));
    // A policy with one version has no changes to show.
    let product = read(&out.join("xcotton.product-protection.html"));
    assert!(!product.contains("<pre class=\"diff\">"));
}

#[test]
fn pages_are_self_contained_and_print_friendly() {
    let out = bundled("print");
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let page = read(&path);
        assert!(page.starts_with(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        ));
        for banned in [
            "<script", "<link", "src=", "url(", "@import", "<iframe", "<object",
        ] {
            assert!(!page.contains(banned), "{}: {banned}", path.display());
        }
        assert!(!page.contains("href=\"http"), "{}", path.display());
        has(&page, "<style>");
        has(&page, "@media print {");
        has(&page, "  nav.chrome, .chrome { display: none; }\n");
        has(&page, "  .version { break-before: page; }\n");
        has(
            &page,
            "  .rule, .table, tr, ol.assumptions li, dl.about { break-inside: avoid; }\n",
        );
        has(
            &page,
            "  a[href$=\".html\"]::after { content: \" (\" attr(href) \")\"; font-size: 90%; }\n",
        );
    }
    let page = read(&out.join("xcotton.shipping-protection.html"));
    has(
        &page,
        "<nav class=\"chrome\"><a href=\"index.html\">All policies</a><a href=\"#history\">History\
         </a><a href=\"#v-2024-01-01\">Version 2024-01-01</a><a href=\"#v-2025-01-01\">Version \
         2025-01-01</a></nav>",
    );
    // Each version is a section of its own (a new page in print).
    assert_eq!(page.matches("<section class=\"version\"").count(), 2);
}

const V1: &str = r#"policy "acme/parcel"
version "1"
effective 2025-01-01
until 2025-05-31
currency USD from order.currency
doc "Parcel protection for tests & <checks>."

facts {
  order: record {
    currency: string
    value:    money
  }
  claim: record {
    type:     enum { lost, damaged }
    filed_at: datetime
  }
}

exclusion damaged_goods
  doc "Damaged goods are not covered. Assumed: a dent counts as damage."
  when claim.type == "damaged"

coverage lost
  doc "A lost parcel is paid <script>alert(\"x\")</script> & the order's value."
  when claim.type == "lost"
  pays order.value

fallback not_covered
  doc "Nothing else is covered."
"#;

const TESTS: &str = r#"cases:
  - name: lost
    document:
      policy: acme/parcel
      order: {currency: USD, value: "40.00"}
      claim: {type: lost, filed_at: "2025-03-01T10:00:00Z"}
    expect:
      decision: approved
      payout: "40.00"
"#;

/// Version 2 of the policy: in force from June, with a referral more.
fn v2() -> String {
    V1.replace("version \"1\"", "version \"2\"")
        .replace("effective 2025-01-01\nuntil 2025-05-31", "effective 2025-06-01")
        + "\nreferral high_value\n  doc \"Assumed: a parcel worth more than 1000 needs a person.\"\n  \
           when order.value > 1000\n"
}

#[test]
fn policy_text_is_escaped() {
    let dir = scratch("escaping");
    write(&dir, "policies/acme/parcel/v1.proviso", V1);
    let run = run_in(&dir, &["report", "policies", "--out", "out"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(
        run.stdout,
        "wrote out/index.html\nwrote out/acme.parcel.html\n"
    );
    let page = read(&dir.join("out/acme.parcel.html"));
    has(
        &page,
        "<blockquote class=\"clause\">A lost parcel is paid &lt;script&gt;alert(&quot;x&quot;)\
         &lt;/script&gt; &amp; the order&#39;s value.</blockquote><pre class=\"code\"><code>\
         coverage lost\n  doc &quot;A lost parcel is paid &lt;script&gt;alert(\\&quot;x\\&quot;)\
         &lt;/script&gt; &amp; the order&#39;s value.&quot;\n  when claim.type == \
         &quot;lost&quot;\n  pays order.value</code></pre>",
    );
    has(
        &page,
        "<blockquote class=\"clause\">Parcel protection for tests &amp; &lt;checks&gt;.</blockquote>",
    );
    assert!(!page.contains("<script"));
    assert!(!page.contains("<checks>"));
    // Characters that could hide or reorder text are shown as escapes.
    assert_eq!(
        html("a\u{202e}b\r\u{1b}[2J\n\tc"),
        "a\\u{202e}b\\r\\u{1b}[2J\n\tc"
    );
    assert_eq!(
        html("<a href='x'>&</a>"),
        "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
    );
    // Identifiers keep letters, digits, `-` and `_`, and tell every other text apart.
    assert_eq!(anchor("2025-01-01_a"), "2025-01-01_a");
    assert_eq!(anchor("v 1/\"x\""), "v.20.1.2f..22.x.22.");
    assert_ne!(anchor("a/b"), anchor("a.2f.b"));
    // A policy's page never replaces the index.
    assert_eq!(
        page_file("xcotton/shipping-protection"),
        "xcotton.shipping-protection.html"
    );
    assert_eq!(page_file("index"), "index..html");
    assert_eq!(page_file("index/a"), "index.a.html");
}

#[test]
fn coverage_marks_and_history_of_a_small_tree() {
    let dir = scratch("small");
    write(&dir, "policies/acme/parcel/v1.proviso", V1);
    write(&dir, "policies/acme/parcel/v2.proviso", &v2());
    write(&dir, "policies/acme/parcel/tests/claims.yaml", TESTS);
    let run = run_in(&dir, &["report", "policies", "--out", "out"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let page = read(&dir.join("out/acme.parcel.html"));
    let mark = |id: &str, place: &str, mark: &str| {
        format!(
            "<article class=\"rule\" id=\"{id}\">\n<div class=\"head\"><h4><span class=\"kind\">\
             {}</span> <code>{}</code></h4><span class=\"where\"><code>{place}</code></span>\
             <p class=\"mark {mark}</p></div>",
            match id.rsplit('-').next().unwrap() {
                "damaged_goods" => "exclusion",
                "lost" => "coverage",
                "not_covered" => "fallback",
                _ => "referral",
            },
            id.rsplit('-').next().unwrap()
        )
    };
    let v1 = "policies/acme/parcel/v1.proviso";
    let v2 = "policies/acme/parcel/v2.proviso";
    has(
        &page,
        &mark(
            "v-1-lost",
            &format!("{v1}:23:1"),
            "covered\">✓ covered: decides in 1 test case; its condition always held in them",
        ),
    );
    has(
        &page,
        &mark(
            "v-1-damaged_goods",
            &format!("{v1}:19:1"),
            "not-covered\">✗ not covered: no test case makes it decide",
        ),
    );
    // No case is decided by version 2.
    has(
        &page,
        &mark(
            "v-2-high_value",
            &format!("{v2}:30:1"),
            "no-tests\">no tests",
        ),
    );
    has(
        &page,
        "<dt>in force</dt><dd>from 2025-01-01 until 2025-05-31</dd>\n",
    );
    has(
        &page,
        "<dt>in force</dt><dd>from 2025-06-01, with no end date</dd>\n",
    );
    has(
        &page,
        "<dt>test coverage</dt><dd>1 of 3 rules decided (33.3%), in 1 test case</dd>\n",
    );
    has(&page, "<dt>test coverage</dt><dd>no tests</dd>\n");
    has(
        &page,
        "<ol class=\"assumptions\">\n<li>Assumed: a dent counts as damage. (<a \
         href=\"#v-2-damaged_goods\">exclusion <code>damaged_goods</code></a>)</li>\n<li>Assumed: \
         a parcel worth more than 1000 needs a person. (<a href=\"#v-2-high_value\">referral \
         <code>high_value</code></a>)</li>\n</ol>\n",
    );
    has(
        &page,
        "<h3 id=\"diff-2\">Changes from 1 to 2: 1 change, besides the version label and dates</h3>\n\
         <pre class=\"diff\"><span class=\"title\">--- acme/parcel 1  policies/acme/parcel/v1.proviso\
         </span>\n<span class=\"title\">+++ acme/parcel 2  policies/acme/parcel/v2.proviso</span>\n\
         \n<span class=\"title\">header</span>\n<span class=\"chg\">  ~ version: &quot;1&quot; \
         -&gt; &quot;2&quot;</span>\n<span class=\"chg\">  ~ effective: 2025-01-01 -&gt; \
         2025-06-01</span>\n<span class=\"del\">  - until: 2025-05-31</span>\n\n<span \
         class=\"title\">rules</span>\n<span class=\"add\">  + referral high_value</span>\n      \
         doc       &quot;Assumed: a parcel worth more than 1000 needs a person.&quot;\n      when      \
         order.value &gt; 1000\n\n<span class=\"title\">1 change, besides the version label and \
         dates</span>\n</pre>",
    );
    let index = read(&dir.join("out/index.html"));
    has(
        &index,
        "<p class=\"tests\">test cases: 1 passed, 0 failed, 0 errors</p>",
    );
}

#[test]
fn failing_and_broken_cases_are_counted_and_coverage_is_still_shown() {
    let dir = scratch("failing");
    write(&dir, "policies/acme/parcel/v1.proviso", V1);
    let cases = format!(
        "{TESTS}{}{}",
        TESTS
            .replace("cases:\n", "")
            .replace("name: lost", "name: lost, expected denied")
            .replace("decision: approved", "decision: denied"),
        "  - name: missing\n    document: documents/none.yaml\n    expect:\n      decision: approved\n"
    );
    write(&dir, "policies/acme/parcel/tests/claims.yaml", &cases);
    let run = run_in(&dir, &["report", "policies", "--out", "out"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let index = read(&dir.join("out/index.html"));
    has(
        &index,
        "<p class=\"tests\">test cases: 1 passed, 1 failed, 1 error (`proviso test` shows \
         each)</p>",
    );
    has(
        &index,
        "<td>3</td><td>1 of 3 rules decided (33.3%), in 2 test cases</td>",
    );
}

#[test]
fn a_tree_without_tests_says_so() {
    let dir = scratch("untested");
    write(&dir, "policies/acme/parcel/v1.proviso", V1);
    let run = run_in(&dir, &["report", "policies", "--out", "out"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let index = read(&dir.join("out/index.html"));
    has(
        &index,
        "<p class=\"tests\">no tests: no test files were found beside the policies</p>",
    );
    has(&index, "<td>3</td><td>no tests</td></tr>");
    let page = read(&dir.join("out/acme.parcel.html"));
    assert_eq!(
        page.matches("<p class=\"mark no-tests\">no tests</p>")
            .count(),
        3
    );
    assert!(!page.contains("covered:"));
}

#[test]
fn the_report_overwrites_its_own_files_and_leaves_others() {
    let dir = scratch("overwrite");
    write(&dir, "policies/acme/parcel/v1.proviso", V1);
    write(&dir, "target/report/index.html", "stale");
    write(&dir, "target/report/notes.txt", "kept");
    // The default folder is target/report.
    let run = run_in(&dir, &["report", "policies"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(
        run.stdout,
        "wrote target/report/index.html\nwrote target/report/acme.parcel.html\n"
    );
    assert!(read(&dir.join("target/report/index.html")).starts_with("<!DOCTYPE html>"));
    assert_eq!(read(&dir.join("target/report/notes.txt")), "kept");
    let again = run_in(&dir, &["report", "policies"]);
    assert_eq!((again.code, again.stdout), (0, run.stdout));
}

#[test]
fn broken_policies_write_nothing_and_print_what_check_prints() {
    let out = scratch("broken");
    let broken = "tests/diagnostics/policy/add_money_and_date.proviso";
    let run = proviso(&[
        "report",
        broken,
        "--out",
        out.join("pages").to_str().unwrap(),
    ]);
    let check = proviso(&["check", broken]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""));
    assert_eq!(run.stderr, check.stderr);
    has(
        &run.stderr,
        "tests/diagnostics/policy/add_money_and_date.proviso:",
    );
    has(&run.stderr, "error: 1 error in policies\n");
    assert!(!out.join("pages").exists());

    // Overlapping versions: an error across files.
    let overlapping = "tests/diagnostics/policy/overlapping_versions";
    let run = proviso(&[
        "report",
        overlapping,
        "--out",
        out.join("pages").to_str().unwrap(),
    ]);
    assert_eq!(
        (run.code, run.stderr),
        (3, proviso(&["check", overlapping]).stderr)
    );

    let run = proviso(&["report", "no/such/policies", "--out", out.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""));
    assert_eq!(run.stderr, proviso(&["check", "no/such/policies"]).stderr);
    has(&run.stderr, "cannot read `no/such/policies`");
}

#[test]
fn an_unwritable_folder_is_an_error() {
    let dir = scratch("unwritable");
    write(&dir, "policies/acme/parcel/v1.proviso", V1);
    write(&dir, "out", "a file, not a folder");
    let run = run_in(&dir, &["report", "policies", "--out", "out"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert!(
        run.stderr.starts_with("error: cannot write `out`: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("\n  help: give `--out` a folder that can be written to\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_describes_the_command() {
    let run = proviso(&["--help"]);
    has(
        &run.stdout,
        "  report    Write the compliance report: an HTML page per policy, each rule's clause text \
         beside the rule, for every version\n",
    );
    let run = proviso(&["report", "--help"]);
    assert_eq!(run.code, 0);
    has(&run.stdout, "Usage: proviso report [OPTIONS] <POLICIES>...");
    has(&run.stdout, "[default: target/report]");
}
