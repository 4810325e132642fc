//! `proviso lsp`: the built binary spoken to over its standard input and output, with
//! JSON-RPC messages framed by `Content-Length`, as an editor speaks to it.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use proviso::internals::span::Source;
use serde_json::{json, Value};

/// How long a test waits for one message before it fails (rather than hangs).
const WAIT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for a response.
    notifications: Vec<Value>,
}

/// Reads framed messages from the server's output, one JSON value each.
fn read_messages(out: impl Read) -> impl Iterator<Item = Value> {
    let mut r = BufReader::new(out);
    std::iter::from_fn(move || {
        let mut length = None;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length?];
        r.read_exact(&mut body).ok()?;
        serde_json::from_slice(&body).ok()
    })
}

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

impl Client {
    /// Starts the server, without initializing it.
    fn spawn() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .arg("lsp")
            .current_dir(support::root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run proviso lsp: {e}"));
        let out = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for m in read_messages(out) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            rx,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    /// Starts and initializes the server.
    fn start() -> Client {
        let mut c = Client::spawn();
        let init = c.request("initialize", json!({ "capabilities": {} }));
        assert!(init.get("result").is_some(), "{init}");
        c.notify("initialized", json!({}));
        c
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("stdin closed"));
        stdin
            .write_all(bytes)
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("cannot write to proviso lsp: {e}"));
    }

    fn send(&mut self, v: &Value) {
        self.send_raw(&frame(v));
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no message from proviso lsp: {e}"))
    }

    /// Sends a request and returns its whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&json!(id))
    }

    /// Waits for the response with `id`, keeping the notifications that come before it.
    fn response(&mut self, id: &Value) -> Value {
        loop {
            let m = self.recv();
            if m.get("id") == Some(id) && m.get("method").is_none() {
                return m;
            }
            self.notifications.push(m);
        }
    }

    /// The result of a request, which must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        r.get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{method} failed: {r}"))
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Waits for the next diagnostics published.
    fn diagnostics(&mut self) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n["method"] == "textDocument/publishDiagnostics")
        {
            return self.notifications.remove(i)["params"].clone();
        }
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" {
                return m["params"].clone();
            }
            self.notifications.push(m);
        }
    }

    /// Opens a file and returns the diagnostics published for it.
    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "proviso", "version": 1, "text": text } }),
        );
        let d = self.diagnostics();
        assert_eq!(d["uri"], uri);
        d["diagnostics"].clone()
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Value {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        let d = self.diagnostics();
        assert_eq!(d["version"], version);
        d["diagnostics"].clone()
    }

    /// Closes the input and waits for the exit status.
    fn wait(mut self) -> i32 {
        drop(self.stdin.take());
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("proviso lsp did not finish: {e}"));
        status.code().unwrap_or(-1)
    }

    /// `shutdown` then `exit`: the exit status.
    fn finish(mut self) -> i32 {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        self.wait()
    }
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } })
}

/// A bundled policy: its `file:` URI and text.
fn bundled(path: &str) -> (String, String) {
    let full = support::root().join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    (format!("file://{}", full.display()), text)
}

const SHIPPING: &str = "policies/xcotton/shipping-protection/2025-01-01.proviso";

/// A small policy whose lines the tests below point into (0-based in the protocol).
const SNIPPET: &str = r#"policy "test/lsp"
version "1"
effective 2025-01-01
currency USD from order.currency
doc "A policy for the language server."

facts {
  order: record {
    currency: string
    items: list of record {
      sku:   string
      price: money
    }
  }
  claim: record {
    type: enum { lost, damaged }
    evidence: list of record {
      kind: enum { photo, police_report }
    }
  }
}

evidence from claim.evidence

const wait = 30 days

let total = sum(i in order.items: i.price)

coverage lost
  doc "A lost parcel is paid its value."
  when claim.type == "lost"
  pays total

exclusion damaged
  doc "A damaged parcel is not covered within {wait}."
  when claim.type == "damaged"

fallback not_covered
  doc "Anything else is not covered."
"#;

const SNIPPET_URI: &str = "file:///nowhere/snippet.proviso";

#[test]
fn initialize_states_what_the_server_offers() {
    let mut c = Client::spawn();
    let init = c.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(
        init,
        json!({
            "jsonrpc": "2.0",
            "id": 1,
            "result": {
                "capabilities": {
                    "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": true } },
                    "hoverProvider": true,
                    "definitionProvider": true,
                    "referencesProvider": true,
                    "completionProvider": { "triggerCharacters": [".", "\""] },
                    "documentFormattingProvider": true,
                    "documentSymbolProvider": true
                },
                "serverInfo": { "name": "proviso", "version": env!("CARGO_PKG_VERSION") }
            }
        })
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_bundled_policy_has_no_diagnostics() {
    let mut c = Client::start();
    for path in [
        SHIPPING,
        "policies/marketplace/shipping-insurance/2025-01-01.proviso",
        // Its hook file, `admin-fee.rhai`, is read beside it, as `proviso check` reads it.
        "policies/xcotton/product-protection/2025-01-01.proviso",
    ] {
        let (uri, text) = bundled(path);
        assert_eq!(c.open(&uri, &text), json!([]), "{path}");
    }
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_hook_file_missing_beside_the_policy_is_an_error() {
    let (_, text) = bundled("policies/xcotton/product-protection/2025-01-01.proviso");
    let mut c = Client::start();
    let d = c.open("file:///nowhere/product.proviso", &text);
    assert_eq!(
        d,
        json!([{
            "range": range(129, 0, 129, 91),
            "severity": 1,
            "source": "proviso",
            "message": "cannot read hook file `/nowhere/admin-fee.rhai`: No such file or directory (os error 2)"
        }])
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_syntax_error_is_shown_at_its_place_as_you_type() {
    let mut c = Client::start();
    assert_eq!(c.open(SNIPPET_URI, SNIPPET), json!([]));
    let broken = SNIPPET.replace(
        r#"when claim.type == "lost""#,
        r#"when claim.type == "lost" &&"#,
    );
    let d = c.change(SNIPPET_URI, 2, &broken);
    assert_eq!(
        d,
        json!([{
            "range": range(30, 28, 30, 30),
            "severity": 1,
            "source": "proviso",
            "message": "conditions are joined with the word `and`, not `&&`\nhelp: write `when claim.type == \"lost\" and`"
        }])
    );
    // Fixed again: the diagnostics are cleared.
    assert_eq!(c.change(SNIPPET_URI, 3, SNIPPET), json!([]));
    assert_eq!(c.finish(), 0);
}

#[test]
fn columns_count_utf16_code_units() {
    // `é` is one UTF-16 unit and two bytes; `𝄞` two units and four bytes.
    let text = SNIPPET.replace(
        "const wait = 30 days",
        "const wait = 30 days\nconst label = \"Café 𝄞\" $",
    );
    let mut c = Client::start();
    let d = c.open(SNIPPET_URI, &text);
    assert_eq!(d[0]["range"], range(25, 24, 25, 25), "{d}");
    // Hover on a name after such text: `wait` in `if "é𝄞" == "x" then wait else wait`.
    let text = SNIPPET.replace(
        "let total",
        "let w = if \"é𝄞\" == \"x\" then wait else wait\n\nlet total",
    );
    let d = c.change(SNIPPET_URI, 2, &text);
    assert_eq!(d[0]["code"], "proviso::lint::unused-let", "{d}");
    let hover = c.result("textDocument/hover", at(SNIPPET_URI, 26, 30));
    assert_eq!(hover["range"], range(26, 29, 26, 33));
    let refs = c.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": SNIPPET_URI }, "position": { "line": 24, "character": 7 },
                "context": { "includeDeclaration": false } }),
    );
    assert_eq!(
        refs,
        json!([
            { "uri": SNIPPET_URI, "range": range(26, 29, 26, 33) },
            { "uri": SNIPPET_URI, "range": range(26, 39, 26, 43) }
        ])
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn lints_are_warnings_with_the_codes_check_prints() {
    let mut c = Client::start();
    let d = c.open(SNIPPET_URI, &SNIPPET.replace("{wait}", "30 days"));
    assert_eq!(
        d,
        json!([{
            "range": range(24, 6, 24, 10),
            "severity": 2,
            "code": "proviso::lint::unused-const",
            "source": "proviso",
            "message": "the constant `wait` is never used\nhelp: remove it, or use it in a rule (a clause's text may quote it as `{wait}`)"
        }])
    );
    assert_eq!(c.finish(), 0);
}

/// Every broken policy under `tests/diagnostics/policy/`: the diagnostics are the errors
/// `proviso check` prints, with the same message, help and place.
#[test]
fn diagnostics_are_the_errors_of_check() {
    let dir = support::root().join("tests/diagnostics/policy");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "proviso"))
        .collect();
    files.sort();
    assert!(files.len() > 30);
    let mut c = Client::start();
    for path in files {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        // A file that is not UTF-8 cannot be sent in a message.
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let uri = format!("file://{}", path.display());
        let got = c.open(&uri, &text);
        let errors = match proviso::PolicySet::load(&path) {
            Err(proviso::LoadError::Policy(e)) => e.errors,
            _ => panic!("{} loads", path.display()),
        };
        let src = Source::new(path.display().to_string(), text.as_str());
        let expected: Vec<Value> = errors
            .iter()
            .map(|e| {
                let (l1, c1) = src.line_col(e.span.start);
                let (l2, c2) = src.line_col(e.span.end);
                let mut message = e.message.clone();
                if let Some(h) = &e.help {
                    message.push_str(&format!("\nhelp: {h}"));
                }
                let to = |n: usize| u32::try_from(n).unwrap_or(u32::MAX) - 1;
                json!({
                    "range": range(to(l1), to(c1), to(l2), to(c2)),
                    "severity": 1,
                    "source": "proviso",
                    "message": message
                })
            })
            .collect();
        assert_eq!(got, json!(expected), "{}", path.display());
        // And `check` prints the same message at the same place.
        let shown = path.strip_prefix(support::root()).unwrap_or(&path);
        let check = support::proviso(&["check", &shown.display().to_string()]);
        let first = &errors[0];
        let (l, col) = src.line_col(first.span.start);
        assert!(
            check
                .stderr
                .contains(&format!("{}:{l}:{col}", shown.display())),
            "{}",
            check.stderr
        );
    }
    assert_eq!(c.finish(), 0);
}

#[test]
fn hover_shows_what_a_name_is() {
    let (uri, text) = bundled(SHIPPING);
    let mut c = Client::start();
    c.open(&uri, &text);
    let hover = |c: &mut Client, line, col| c.result("textDocument/hover", at(&uri, line, col));
    // A constant where it is defined: its value and type.
    assert_eq!(
        hover(&mut c, 80, 8),
        json!({
            "contents": { "kind": "markdown", "value": "```proviso\nconst domestic_wait = 30 days\n```\n\nconstant; type: duration" },
            "range": range(80, 6, 80, 19)
        })
    );
    // A fact where it is read: its declared type and values.
    assert_eq!(
        hover(&mut c, 276, 14),
        json!({
            "contents": { "kind": "markdown", "value": "```proviso\nclaim.type: enum { lost, delivered_not_received, damaged, partial_loss, wrong_address, delivery_disruption, return_damaged, wrong_item }\n```\n\nfact; values: `lost`, `delivered_not_received`, `damaged`, `partial_loss`, `wrong_address`, `delivery_disruption`, `return_damaged`, `wrong_item`" },
            "range": range(276, 13, 276, 17)
        })
    );
    // A rule: its kind and clause text.
    assert_eq!(
        hover(&mut c, 272, 12)["contents"]["value"],
        "**coverage** rule `lost_package`\n\n> Lost Packages: logistics does not show delivery; package not delivered within {domestic_wait} (domestic) or {international_wait} (international). Lost goods are refunded or reshipped based on discounted order value."
    );
    // A `let` where it is read: its expression as written, and its type.
    assert_eq!(
        hover(&mut c, 277, 10)["contents"]["value"],
        "```proviso\nlet discounted_order_value = sum(item in order.items: line_value(item))\n```\n\nvalue, computed once per document; type: money"
    );
    // A field read through an aggregate's variable, with its default.
    assert_eq!(
        hover(&mut c, 166, 46)["contents"]["value"],
        "```proviso\norder.items.discount: money default 0\n```\n\nfact"
    );
    // The variable itself, and a keyword, are not names of the policy.
    assert_eq!(hover(&mut c, 166, 4), Value::Null);
    assert_eq!(hover(&mut c, 272, 3), Value::Null);
    // A table: its rows and clause text.
    let (muri, mtext) = bundled("policies/marketplace/shipping-insurance/2025-01-01.proviso");
    c.open(&muri, &mtext);
    let table = c.result("textDocument/hover", at(&muri, 103, 8));
    assert_eq!(
        table["contents"]["value"],
        "```proviso\ntable tier_maximum(value) -> money\n  up to 500: 500\n  over 500 up to 2000: 2000\n  over 2000: 5000\n```\n\nQ7: A tiered compensation system is implemented: Assumed: the insurance pays at most 500.00 for a product value up to 500.00, at most 2,000.00 for a value over 500.00 up to 2,000.00, and at most 5,000.00 for a value over 2,000.00."
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn definition_and_references_of_facts_constants_lets_and_tables() {
    let mut c = Client::start();
    c.open(SNIPPET_URI, SNIPPET);
    let def =
        |c: &mut Client, line, col| c.result("textDocument/definition", at(SNIPPET_URI, line, col));
    let loc = |l1, c1, l2, c2| json!({ "uri": SNIPPET_URI, "range": range(l1, c1, l2, c2) });
    // `total` in `pays total` -> its `let`.
    assert_eq!(def(&mut c, 31, 8), loc(26, 4, 26, 9));
    // `type` in `claim.type` -> its declaration in the facts.
    assert_eq!(def(&mut c, 30, 14), loc(15, 4, 15, 8));
    // `price` in `i.price`, through the aggregate's variable -> `order.items.price`.
    assert_eq!(def(&mut c, 26, 37), loc(11, 6, 11, 11));
    // `claim` in `evidence from claim.evidence` -> the fact.
    assert_eq!(def(&mut c, 22, 15), loc(14, 2, 14, 7));
    // Nothing to go to from a keyword.
    assert_eq!(def(&mut c, 30, 3), Value::Null);
    let refs = |c: &mut Client, line, col, decl: bool| {
        c.result(
            "textDocument/references",
            json!({ "textDocument": { "uri": SNIPPET_URI }, "position": { "line": line, "character": col },
                    "context": { "includeDeclaration": decl } }),
        )
    };
    assert_eq!(
        refs(&mut c, 26, 5, true),
        json!([loc(26, 4, 26, 9), loc(31, 7, 31, 12)])
    );
    assert_eq!(refs(&mut c, 26, 5, false), json!([loc(31, 7, 31, 12)]));
    // The fact `claim`: declared, then read in `evidence from` and in the rule.
    assert_eq!(
        refs(&mut c, 14, 3, true),
        json!([
            loc(14, 2, 14, 7),
            loc(22, 14, 22, 19),
            loc(30, 7, 30, 12),
            loc(35, 7, 35, 12)
        ])
    );
    // `order.items`: read by the aggregate's list.
    assert_eq!(refs(&mut c, 9, 5, false), json!([loc(26, 27, 26, 32)]));
    // A table, from where it is called.
    let (muri, mtext) = bundled("policies/marketplace/shipping-insurance/2025-01-01.proviso");
    c.open(&muri, &mtext);
    let calls = c.result(
        "textDocument/references",
        json!({ "textDocument": { "uri": muri }, "position": { "line": 103, "character": 8 },
                "context": { "includeDeclaration": true } }),
    );
    let lines: Vec<u64> = calls
        .as_array()
        .unwrap_or_else(|| panic!("{calls}"))
        .iter()
        .filter_map(|l| l["range"]["start"]["line"].as_u64())
        .collect();
    let expected: Vec<u64> = mtext
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("tier_maximum("))
        .map(|(i, _)| i as u64)
        .collect();
    assert_eq!(lines, expected);
    assert!(lines.len() >= 2);
    assert_eq!(c.finish(), 0);
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("{items}"))
        .iter()
        .filter_map(|i| i["label"].as_str().map(String::from))
        .collect()
}

#[test]
fn completion_offers_the_fields_of_an_earlier_decision() {
    let mut c = Client::start();
    let text = SNIPPET.replace(
        "  claim: record {",
        "  history: list of decision { filed_at: datetime }\n  claim: record {",
    );
    c.open(SNIPPET_URI, &text);
    // Through an aggregate's variable: the built-in fields, then the declared one.
    let text = text.replace("  pays total", "  pays sum(c in history: c.");
    c.change(SNIPPET_URI, 2, &text);
    let items = c.result("textDocument/completion", at(SNIPPET_URI, 32, 28));
    assert_eq!(
        labels(&items),
        ["document", "decision", "payout", "refund", "policy", "reasons", "filed_at"]
    );
    assert_eq!(
        items[2],
        json!({ "label": "payout", "kind": 5, "detail": "optional record { amount, currency }" })
    );
}

#[test]
fn completion_offers_fields_values_kinds_and_keywords() {
    let mut c = Client::start();
    c.open(SNIPPET_URI, SNIPPET);
    let complete = |c: &mut Client, text: &str, version: i64, line, col| {
        c.change(SNIPPET_URI, version, text);
        c.result("textDocument/completion", at(SNIPPET_URI, line, col))
    };
    // After `claim.`, while the line does not parse: the fields of `claim`.
    let text = SNIPPET.replace("  pays total", "  pays total\n  when claim.");
    let items = complete(&mut c, &text, 2, 32, 13);
    assert_eq!(
        items,
        json!([
            { "label": "type", "kind": 5, "detail": "enum { lost, damaged }" },
            { "label": "evidence", "kind": 5, "detail": "list of record { kind }" }
        ])
    );
    // Through an aggregate's variable.
    let text = SNIPPET.replace("  pays total", "  pays sum(x in order.items: x.");
    assert_eq!(
        labels(&complete(&mut c, &text, 3, 31, 33)),
        ["sku", "price"]
    );
    // An enum fact compared: its values, quoted unless the quote is typed.
    let text = SNIPPET.replace(r#"when claim.type == "lost""#, "when claim.type == ");
    assert_eq!(
        complete(&mut c, &text, 4, 30, 21),
        json!([
            { "label": "lost", "kind": 20, "insertText": "\"lost\"" },
            { "label": "damaged", "kind": 20, "insertText": "\"damaged\"" }
        ])
    );
    let text = SNIPPET.replace(
        r#"when claim.type == "lost""#,
        r#"when claim.type not in ["lost", ""#,
    );
    assert_eq!(
        complete(&mut c, &text, 5, 30, 35),
        json!([{ "label": "lost", "kind": 20 }, { "label": "damaged", "kind": 20 }])
    );
    // Evidence kinds after `requires`.
    let text = format!("{SNIPPET}\nevidence photos\n  doc \"Photos.\"\n  requires ");
    assert_eq!(
        labels(&complete(&mut c, &text, 6, 42, 11)),
        ["photo", "police_report"]
    );
    // At the start of a line: rule kinds and items; indented, clause keywords.
    let text = format!("{SNIPPET}\ncov");
    let items = complete(&mut c, &text, 7, 40, 3);
    assert_eq!(
        labels(&items),
        [
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
            "facts",
            "const",
            "let",
            "evidence from",
            "table",
            "hook",
            "calendar"
        ]
    );
    assert_eq!(items[0]["detail"], "approves a claim, paying the amount");
    let text = SNIPPET.replace("  pays total", "  pays total\n  ");
    assert_eq!(
        labels(&complete(&mut c, &text, 8, 32, 2)),
        [
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
            "eligible from"
        ]
    );
    // In an expression: the names in scope, functions, then words.
    let text = SNIPPET.replace("  pays total", "  pays to");
    let items = labels(&complete(&mut c, &text, 9, 31, 9));
    assert_eq!(
        items.get(..5),
        Some(&["order", "claim", "wait", "total", "min"].map(String::from)[..])
    );
    assert!(items.contains(&"is present".to_string()));
    assert_eq!(c.finish(), 0);
}

#[test]
fn formatting_lays_the_file_out_as_fmt_does() {
    let mut c = Client::start();
    let messy = SNIPPET.replace("const wait = 30 days", "const   wait=30 days");
    c.open(SNIPPET_URI, &messy);
    let opts = json!({ "textDocument": { "uri": SNIPPET_URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = c.result("textDocument/formatting", opts.clone());
    assert_eq!(
        edits,
        json!([{ "range": range(0, 0, 39, 0), "newText": SNIPPET }])
    );
    // Laid out already: no edits.
    c.change(SNIPPET_URI, 2, SNIPPET);
    assert_eq!(c.result("textDocument/formatting", opts.clone()), json!([]));
    // A file that does not parse is left as it is: the request fails, the server goes on.
    c.change(
        SNIPPET_URI,
        3,
        &SNIPPET.replace("pays total", "pays total +"),
    );
    let r = c.request("textDocument/formatting", opts);
    assert_eq!(
        r["error"],
        json!({ "code": -32803, "message": "cannot lay out a file with errors: the expression before `exclusion` is incomplete (line 34, column 1)" })
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn document_symbols_outline_the_file() {
    let mut c = Client::start();
    c.open(SNIPPET_URI, SNIPPET);
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": SNIPPET_URI } }),
    );
    let sym = |name: &str, detail: &str, kind: u32, r: Value, sel: Value| json!({ "name": name, "detail": detail, "kind": kind, "range": r, "selectionRange": sel });
    let mut order = sym(
        "order",
        "record { currency, items }",
        8,
        range(7, 2, 13, 3),
        range(7, 2, 7, 7),
    );
    let mut items = sym(
        "items",
        "list of record { sku, price }",
        8,
        range(9, 4, 12, 5),
        range(9, 4, 9, 9),
    );
    items["children"] = json!([
        sym(
            "sku",
            "string",
            8,
            range(10, 6, 10, 19),
            range(10, 6, 10, 9)
        ),
        sym(
            "price",
            "money",
            8,
            range(11, 6, 11, 18),
            range(11, 6, 11, 11)
        )
    ]);
    order["children"] = json!([
        sym(
            "currency",
            "string",
            8,
            range(8, 4, 8, 20),
            range(8, 4, 8, 12)
        ),
        items
    ]);
    let mut claim = sym(
        "claim",
        "record { type, evidence }",
        8,
        range(14, 2, 19, 3),
        range(14, 2, 14, 7),
    );
    let mut evidence = sym(
        "evidence",
        "list of record { kind }",
        8,
        range(16, 4, 18, 5),
        range(16, 4, 16, 12),
    );
    evidence["children"] = json!([sym(
        "kind",
        "enum { photo, police_report }",
        8,
        range(17, 6, 17, 41),
        range(17, 6, 17, 10)
    )]);
    claim["children"] = json!([
        sym(
            "type",
            "enum { lost, damaged }",
            8,
            range(15, 4, 15, 32),
            range(15, 4, 15, 8)
        ),
        evidence
    ]);
    assert_eq!(
        symbols,
        json!([
            order,
            claim,
            sym(
                "wait",
                "const",
                14,
                range(24, 0, 24, 20),
                range(24, 6, 24, 10)
            ),
            sym(
                "total",
                "let",
                13,
                range(26, 0, 26, 42),
                range(26, 4, 26, 9)
            ),
            sym(
                "lost",
                "coverage",
                6,
                range(28, 0, 31, 12),
                range(28, 9, 28, 13)
            ),
            sym(
                "damaged",
                "exclusion",
                6,
                range(33, 0, 35, 30),
                range(33, 10, 33, 17)
            ),
            sym(
                "not_covered",
                "fallback",
                6,
                range(37, 0, 38, 37),
                range(37, 9, 37, 20)
            )
        ])
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn the_lifecycle_follows_the_specification() {
    // Before `initialize`: requests fail, notifications are ignored.
    let mut c = Client::spawn();
    let r = c.request("textDocument/hover", at(SNIPPET_URI, 0, 0));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    let init = c.request("initialize", json!({ "capabilities": {} }));
    assert!(init.get("result").is_some());
    let again = c.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(again["error"]["code"], -32600, "{again}");
    // An unknown request, and bad parameters.
    let r = c.request("textDocument/rename", json!({}));
    assert_eq!(
        r["error"],
        json!({ "code": -32601, "message": "unknown method `textDocument/rename`" })
    );
    let r = c.request("textDocument/hover", json!({ "position": 3 }));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // A file not open: nothing to say.
    assert_eq!(
        c.result("textDocument/hover", at("file:///not/open.proviso", 0, 0)),
        Value::Null
    );
    let r = c.request("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    let after = c.request("textDocument/hover", at(SNIPPET_URI, 0, 0));
    assert_eq!(after["error"]["code"], -32600, "{after}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait(), 0);
}

#[test]
fn exit_without_shutdown_or_end_of_input_exits_1() {
    let mut c = Client::start();
    c.notify("exit", Value::Null);
    assert_eq!(c.wait(), 1);
    let c = Client::start();
    assert_eq!(c.wait(), 1);
}

#[test]
fn garbage_input_is_answered_with_errors_not_a_crash() {
    let mut c = Client::start();
    let parse_error = |message: &str| json!({ "jsonrpc": "2.0", "id": null, "error": { "code": -32700, "message": message } });
    c.send_raw(b"hello there\r\n\r\n");
    assert_eq!(c.recv(), parse_error("invalid header line `hello there`"));
    c.send_raw(b"Content-Length: lots\r\n\r\n");
    assert_eq!(c.recv(), parse_error("invalid `Content-Length`: `lots`"));
    c.send_raw(b"Content-Type: x\r\n\r\n");
    assert_eq!(
        c.recv(),
        parse_error("a message has no `Content-Length` header")
    );
    c.send_raw(b"Content-Length: 7\r\n\r\n{\"id\":]");
    assert_eq!(
        c.recv(),
        parse_error("a message is not JSON: expected value at line 1 column 7")
    );
    c.send_raw(b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc");
    assert_eq!(
        c.recv(),
        parse_error("a message is not JSON: expected value at line 1 column 1")
    );
    c.send(&json!({ "jsonrpc": "2.0", "id": 7, "params": [] }));
    let r = c.recv();
    assert_eq!(r["id"], 7);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.send(&json!([1, 2, 3]));
    assert_eq!(c.recv()["error"]["code"], -32600);
    // The server still answers.
    assert_eq!(c.open(SNIPPET_URI, SNIPPET), json!([]));
    assert!(c
        .result("textDocument/hover", at(SNIPPET_URI, 31, 8))
        .is_object());
    assert_eq!(c.finish(), 0);
    // Input that ends inside a message: an error, and exit status 1.
    let mut c = Client::start();
    c.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    drop(c.stdin.take());
    assert_eq!(c.recv(), parse_error("the input ended inside a message"));
    assert_eq!(c.wait(), 1);
}
