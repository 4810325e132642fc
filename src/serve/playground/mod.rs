//! The playground: a page at `/` for policy authors, and the endpoints it calls.
//!
//! The page (`index.html`, inline CSS and script, nothing fetched from elsewhere) is
//! compiled into the binary, as are a few example documents from the repository
//! (`GET /v1/playground/examples`). `POST /v1/playground/decide` decides a document as
//! `proviso eval --format json` does, with the policies served or with a policy sent in
//! the request; `POST /v1/playground/diff` compares two versions as `proviso diff` does.
//! A policy sent in a request is compiled from memory: its hook files come from the
//! request too (see [`proviso::internals::hooks::Hooks::given`]), so no file on the server is read.
//! Its size is bounded by the body limit and by the policy limits of the compiler.
//! Playground decisions are not written to the decision log nor counted in the metrics.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State as Shared;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use proviso::internals::ast::PolicyFile;
use proviso::internals::compile::Program;
use proviso::internals::document::Scanned;
use proviso::internals::policy_set::compile_given;
use proviso::internals::span::Source;
use proviso::{Document, Format, PolicyError, PolicySet, PolicyVersion, PolicyWarning};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::time::Instant;

use super::decide::{input_kind, INPUT_NAME};
use super::limits;
use super::problem::{Kind, Problem};
use super::routes::{not_loaded, with_type};
use super::State;
use crate::cli::check::MAX_ERRORS_SHOWN;
use crate::cli::eval::{parse_date, write_decision, Decider};
use crate::cli::input::{self, InputError, Options, Sink};
use crate::cli::{diff, explain, OutputFormat};

/// The page, with its styles and script.
const PAGE: &str = include_str!("index.html");

/// The name a policy sent in a request is compiled under: its diagnostics and the
/// `source` of its rules say `policy.proviso:LINE:COL`.
pub const POLICY_NAME: &str = "policy.proviso";

macro_rules! example {
    ($name:literal, $file:literal) => {
        (
            $name,
            concat!("examples/", $file),
            include_str!(concat!("../../../examples/", $file)),
        )
    };
}

/// The example documents offered: name, file in the repository, text.
const EXAMPLES: &[(&str, &str, &str)] = &[
    example!("lost-domestic", "shipping/lost-domestic.yaml"),
    example!("damaged-full", "shipping/damaged-full.yaml"),
    example!(
        "delivered-not-received-no-theft-proof",
        "shipping/delivered-not-received-no-theft-proof.yaml"
    ),
    example!(
        "cancel-after-shipment",
        "shipping/cancel-after-shipment.yaml"
    ),
    example!("accidental-drop", "product/accidental-drop.yaml"),
    example!(
        "excluded-battery-degradation",
        "product/excluded-battery-degradation.yaml"
    ),
    example!("day-61-pro-rated", "cancellations/day-61-pro-rated.yaml"),
    example!(
        "after-60-days-fl-fee-capped-at-50",
        "cancellations/after-60-days-fl-fee-capped-at-50.yaml"
    ),
    example!(
        "q7-tier-1-value-300",
        "marketplace/q7-tier-1-value-300.yaml"
    ),
    example!(
        "q5-unboxing-video-missing",
        "marketplace/q5-unboxing-video-missing.yaml"
    ),
];

/// `GET /`: the page. It may fetch from this server only, and run only its own script.
pub async fn page() -> Response {
    let mut response = with_type(
        (StatusCode::OK, PAGE).into_response(),
        "text/html; charset=utf-8",
    );
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
        ),
    );
    response
}

/// One example document.
#[derive(Serialize)]
struct Example<'a> {
    name: &'a str,
    file: &'a str,
    /// The policy the document names.
    policy: Option<String>,
    text: &'a str,
}

/// `GET /v1/playground/examples`: the example documents, in the order offered.
pub async fn examples() -> Response {
    let list: Vec<Example> = EXAMPLES
        .iter()
        .map(|&(name, file, text)| Example {
            name,
            file,
            policy: Scanned::new(text, Format::Yaml)
                .and_then(|s| s.envelope())
                .ok()
                .and_then(|env| env.policy)
                .map(|p| p.to_string()),
            text,
        })
        .collect();
    json_response(&list)
}

fn json_response(value: &impl Serialize) -> Response {
    let mut body = serde_json::to_vec(value).unwrap_or_default();
    body.push(b'\n');
    with_type((StatusCode::OK, body).into_response(), "application/json")
}

/// How a document sent to the playground is written.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum DocumentFormat {
    Json,
    Yaml,
}

/// `POST /v1/playground/decide`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideRequest {
    /// A policy's text; without it, the policies served decide.
    #[serde(default)]
    policy: Option<String>,
    /// The policy's hook files, by the name it gives them.
    #[serde(default)]
    hooks: BTreeMap<String, String>,
    document: String,
    /// `json` or `yaml`; by default JSON when the text opens with `{`, else YAML.
    #[serde(default)]
    format: Option<DocumentFormat>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    explain: bool,
}

/// A decision with what the page shows besides.
#[derive(Serialize)]
struct Decided<'a> {
    /// The line `proviso eval --format json` prints, as it prints it.
    decision: &'a RawValue,
    /// The explanation as `proviso eval --explain` prints it, when asked for.
    explanation: Option<String>,
    /// The warnings on the policy sent (none for the policies served).
    warnings: Vec<Diagnosed>,
}

/// A policy error or warning, located.
#[derive(Debug, Serialize)]
pub struct Diagnosed {
    /// `error` or `warning`.
    severity: &'static str,
    /// A warning's lint (`proviso::internals::lint::unused-const`).
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    message: String,
    label: String,
    help: Option<String>,
    /// `file:line:col`.
    location: String,
    file: String,
    span: Place,
}

/// Where a span starts and ends: lines and columns (in characters) from 1.
#[derive(Debug, Serialize)]
struct Place {
    start: LineCol,
    end: LineCol,
}

#[derive(Debug, Serialize)]
struct LineCol {
    line: usize,
    col: usize,
}

impl Diagnosed {
    fn error(e: &PolicyError) -> Self {
        let at = |offset: usize| {
            let (line, col) = e.file.line_col(offset);
            LineCol { line, col }
        };
        Diagnosed {
            severity: "error",
            code: None,
            message: e.message.clone(),
            label: e.label.clone(),
            help: e.help.clone(),
            location: e.location(),
            file: e.file.name.to_string(),
            span: Place {
                start: at(e.span.start),
                end: at(e.span.end),
            },
        }
    }

    fn warning(w: &PolicyWarning) -> Self {
        Diagnosed {
            severity: "warning",
            code: Some(w.lint.code()),
            ..Diagnosed::error(&w.error)
        }
    }
}

/// The problem a policy that does not compile is, with its first errors.
fn invalid(errors: &[PolicyError]) -> Problem {
    let count = match errors.len() {
        1 => "1 error in the policy".to_string(),
        n => format!("{n} errors in the policy"),
    };
    let hidden = errors.len().saturating_sub(MAX_ERRORS_SHOWN);
    let detail = match hidden {
        0 => count,
        n => format!("{count}; {n} more not shown (the first {MAX_ERRORS_SHOWN} are)"),
    };
    let mut p = Problem::new(Kind::PolicyInvalid, detail)
        .with_help("fix the errors at the places shown; each says what is wrong");
    p.more.diagnostics = Some(
        errors
            .iter()
            .take(MAX_ERRORS_SHOWN)
            .map(Diagnosed::error)
            .collect(),
    );
    p
}

/// Compiles a policy sent in a request, with the hook files sent with it.
fn compile(text: &str, hooks: &BTreeMap<String, String>) -> Result<(PolicyFile, Program), Problem> {
    compile_given(&Source::new(POLICY_NAME, text), hooks).map_err(|e| invalid(&e))
}

/// Reads the JSON body of a playground request, bounded by the body limit.
async fn read_json<T: for<'de> Deserialize<'de>>(
    state: &State,
    headers: &HeaderMap,
    body: Body,
) -> Result<T, Problem> {
    if let Some(value) = headers.get(header::CONTENT_TYPE) {
        let text = value.to_str().unwrap_or("");
        let essence = text.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(Problem::new(
                Kind::UnsupportedMediaType,
                format!("cannot read a body of type `{}`", text.escape_debug()),
            )
            .with_help("send `application/json`"));
        }
    }
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = limits::read_body(body, length, state.config.max_body_bytes).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Problem::new(Kind::BadRequest, format!("cannot read the request: {e}")).with_help(
            "send a JSON object as the playground's page does (see the README's section on the playground)",
        )
    })
}

/// Reads the request, then runs `work` on a blocking thread in its turn, all within the
/// timeout.
async fn bounded<R, T>(
    state: Arc<State>,
    headers: HeaderMap,
    body: Body,
    work: impl FnOnce(&State, R) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem>
where
    R: for<'de> Deserialize<'de> + Send + 'static,
    T: Send + 'static,
{
    let now = Instant::now();
    let deadline = now
        .checked_add(state.config.timeout)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(100 * 365 * 86_400));
    let timeout = state.config.timeout;
    let done = tokio::time::timeout_at(deadline, async move {
        let request: R = read_json(&state, &headers, body).await?;
        let permit = Arc::clone(&state.permits)
            .acquire_owned()
            .await
            .map_err(|_| limits::timed_out(state.config.timeout))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&state, request)
        })
        .await
        .map_err(|e| Problem::new(Kind::EvaluationFailed, format!("the request stopped: {e}")))?
    })
    .await;
    done.unwrap_or_else(|_| Err(limits::timed_out(timeout)))
}

/// `POST /v1/playground/decide`: `{"policy"?, "hooks"?, "document", "format"?, "at"?,
/// "explain"?}`, answered with `{"decision", "explanation", "warnings"}` or a problem.
pub async fn decide(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: Body) -> Response {
    match bounded(state, headers, body, decide_request).await {
        Ok(body) => with_type((StatusCode::OK, body).into_response(), "application/json"),
        Err(problem) => problem.into_response(),
    }
}

fn decide_request(state: &State, r: DecideRequest) -> Result<Vec<u8>, Problem> {
    let at = match &r.at {
        None => None,
        Some(text) => Some(parse_date(text).map_err(|e| {
            Problem::new(Kind::BadRequest, e)
                .with_help("give the date whose policy version applies, like `2025-06-01`")
        })?),
    };
    let loaded = state.policies.current();
    let (sent, warnings) = match &r.policy {
        None => (None, Vec::new()),
        Some(text) => {
            let (_, program) = compile(text, &r.hooks)?;
            let warnings = proviso::internals::lint::warnings(&program)
                .iter()
                .map(Diagnosed::warning)
                .collect();
            let set = PolicySet::from_programs(vec![program]).map_err(|e| invalid(&e.errors))?;
            (Some(set), warnings)
        }
    };
    let set = sent.as_ref().unwrap_or(&loaded.set);
    let format = match r.format {
        Some(DocumentFormat::Json) => Format::Json,
        Some(DocumentFormat::Yaml) => Format::Yaml,
        None if r
            .document
            .trim_start_matches('\u{FEFF}')
            .trim_start()
            .starts_with('{') =>
        {
            Format::Json
        }
        None => Format::Yaml,
    };
    let mut sink = Keep {
        decider: Decider {
            set,
            at,
            explain: r.explain,
            format: OutputFormat::Json,
        },
        result: None,
    };
    let opts = Options {
        format: None,
        max_bytes: state.config.max_body_bytes,
    };
    let name: Arc<str> = INPUT_NAME.into();
    // The sink never fails: it keeps what it is given.
    let _ = input::read_whole(&name, r.document.as_bytes(), format, &opts, &mut sink);
    let (line, explanation) = sink.result.unwrap_or_else(|| {
        Err(Problem::new(
            Kind::Unreadable,
            "the request holds no document",
        ))
    })?;
    let raw = RawValue::from_string(String::from_utf8_lossy(&line).trim_end().to_string())
        .map_err(|e| {
            Problem::new(
                Kind::EvaluationFailed,
                format!("cannot write the decision: {e}"),
            )
        })?;
    let mut body = serde_json::to_vec(&Decided {
        decision: &raw,
        explanation,
        warnings,
    })
    .unwrap_or_default();
    body.push(b'\n');
    Ok(body)
}

/// A decision's JSON line, and its explanation when asked for.
type Kept = (Vec<u8>, Option<String>);

/// Keeps the decision of the one document read (its JSON line and explanation), or the
/// problem it is.
struct Keep<'a> {
    decider: Decider<'a>,
    result: Option<Result<Kept, Problem>>,
}

impl Sink for Keep<'_> {
    fn document(&mut self, doc: &Document<'_>) -> std::io::Result<()> {
        let decided = match self.decider.decide(doc) {
            Ok((d, trace)) => {
                let mut line = Vec::new();
                // Written into memory: it cannot fail.
                let _ = write_decision(&mut line, OutputFormat::Json, &d, trace.as_ref());
                let explanation = trace.map(|t| {
                    let mut text = Vec::new();
                    let _ = explain::text(&mut text, &t);
                    String::from_utf8_lossy(&text).into_owned()
                });
                Ok((line, explanation))
            }
            Err(e) => Err(Problem::document(
                &e,
                doc.text,
                doc.format,
                self.decider.set,
            )),
        };
        self.result = Some(decided);
        Ok(())
    }

    fn error(&mut self, e: &InputError) -> std::io::Result<()> {
        self.result = Some(Err(Problem::new(input_kind(e), e.message.clone())));
        Ok(())
    }

    fn idle(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One side of a diff: a version served, or a policy's text with its hook files.
#[derive(Deserialize)]
#[serde(untagged)]
enum Side {
    Served {
        name: String,
        version: String,
    },
    Sent {
        policy: String,
        #[serde(default)]
        hooks: BTreeMap<String, String>,
    },
}

/// `POST /v1/playground/diff`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffRequest {
    old: Side,
    new: Side,
}

/// `POST /v1/playground/diff`: `{"old": SIDE, "new": SIDE}`, each side
/// `{"name", "version"}` (a version served) or `{"policy", "hooks"?}` (a text); answered
/// with what `proviso diff` prints, as plain text.
pub async fn diff(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: Body) -> Response {
    match bounded(state, headers, body, diff_request).await {
        Ok(text) => with_type(
            (StatusCode::OK, text).into_response(),
            "text/plain; charset=utf-8",
        ),
        Err(problem) => problem.into_response(),
    }
}

fn diff_request(state: &State, r: DiffRequest) -> Result<String, Problem> {
    let loaded = state.policies.current();
    let version = |side: &Side| -> Result<PolicyVersion, Problem> {
        let (ast, program) = match side {
            Side::Sent { policy, hooks } => compile(policy, hooks)?,
            Side::Served { name, version } => {
                let program = loaded
                    .set
                    .versions()
                    .find(|p| *p.meta.name == **name && *p.meta.version == **version)
                    .ok_or_else(|| not_loaded(&loaded.set, name, version))?;
                let hooks = program
                    .hooks
                    .files()
                    .map(|(file, text)| (file.to_string(), text.to_string()))
                    .collect();
                compile_given(&program.meta.file, &hooks).map_err(|e| invalid(&e))?
            }
        };
        Ok(PolicyVersion::from_parts(ast, program))
    };
    let (old, new) = (version(&r.old)?, version(&r.new)?);
    Ok(diff::report(&old, &new, &proviso::diff(&old, &new)))
}
