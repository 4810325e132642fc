//! The endpoints: each maps a request to the code that answers it.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use proviso::{Format, PolicySet, VersionInfo};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::decide::{self, Ask, ChannelBody, ChannelReader, ChannelWriter};
use super::limits::{self, RequestId};
use super::playground;
use super::problem::{Kind, Problem};
use super::State;
use crate::cli::eval::parse_date;
use crate::cli::schema::{self as cli_schema, Missing};
use crate::cli::versions::{json_lines, Row};

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/v1/decisions", post(decisions))
        .route("/v1/policies", get(policies))
        .route("/v1/policies/{*version}", get(policy_version))
        .route("/v1/status", get(status))
        .route("/", get(playground::page))
        .route("/v1/playground/examples", get(playground::examples))
        .route("/v1/playground/decide", post(playground::decide))
        .route("/v1/playground/diff", post(playground::diff))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(limits::request_id))
        .with_state(state)
}

const JSON: &str = "application/json";
const JSON_LINES: &str = "application/x-ndjson";

/// What a decision request's body holds, by its `Content-Type`.
enum Media {
    One(Format),
    Lines,
}

fn media(headers: &HeaderMap) -> Result<Media, Problem> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Media::One(Format::Json));
    };
    let text = value.to_str().unwrap_or("");
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Ok(Media::One(Format::Json)),
        "application/yaml" | "application/x-yaml" | "text/yaml" => Ok(Media::One(Format::Yaml)),
        "application/x-ndjson" => Ok(Media::Lines),
        _ => Err(Problem::new(
            Kind::UnsupportedMediaType,
            format!("cannot read a body of type `{}`", text.escape_debug()),
        )
        .with_help("send `application/json`, `application/yaml` (or `application/x-yaml`, `text/yaml`), or `application/x-ndjson` for JSON Lines")),
    }
}

/// The query of a decision request: `at=YYYY-MM-DD`, `explain=true|false`.
fn ask(query: Option<&str>, request_id: String) -> Result<Ask, Problem> {
    let mut ask = Ask {
        request_id,
        at: None,
        explain: false,
    };
    let pairs: HashMap<String, String> = match query {
        Some(q) => serde_urlencoded_pairs(q),
        None => HashMap::new(),
    };
    for (key, value) in &pairs {
        match key.as_str() {
            "at" => {
                let date = parse_date(value).map_err(|e| {
                    Problem::new(Kind::BadRequest, e)
                        .with_parameter("at")
                        .with_help(
                            "give the date whose policy version applies, like `at=2025-06-01`",
                        )
                })?;
                ask.at = Some(date);
            }
            "explain" => {
                ask.explain = match value.as_str() {
                    "true" | "" => true,
                    "false" => false,
                    _ => {
                        return Err(Problem::new(
                            Kind::BadRequest,
                            format!(
                                "expected `true` or `false`, found `{}`",
                                value.escape_debug()
                            ),
                        )
                        .with_parameter("explain")
                        .with_help("write `explain=true` to have each decision explained"))
                    }
                }
            }
            other => {
                return Err(Problem::new(
                    Kind::BadRequest,
                    format!("unknown query parameter `{}`", other.escape_debug()),
                )
                .with_help("the parameters are `at=YYYY-MM-DD` and `explain=true`"))
            }
        }
    }
    Ok(ask)
}

/// `key=value&...`, percent-decoded (`+` is a space), the last of a repeated key kept.
fn serde_urlencoded_pairs(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                crate::percent::decode(k, true),
                crate::percent::decode(v, true),
            )
        })
        .collect()
}

/// `POST /v1/decisions`.
async fn decisions(
    Shared(state): Shared<Arc<State>>,
    Extension(RequestId(id)): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let now = Instant::now();
    // A timeout too long to add is as good as none (a century).
    let deadline = now
        .checked_add(state.config.timeout)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(100 * 365 * 86_400));
    let answered = tokio::time::timeout_at(deadline, async {
        let media = media(&headers)?;
        let ask = ask(query.as_deref(), id)?;
        let permit = Arc::clone(&state.permits)
            .acquire_owned()
            .await
            .map_err(|_| limits::timed_out(state.config.timeout))?;
        let loaded = state.policies.current();
        let format = match media {
            Media::Lines => return Ok(stream(&state, loaded, ask, body, permit, deadline)),
            Media::One(format) => format,
        };
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let bytes = limits::read_body(body, length, state.config.max_body_bytes).await?;
        let shared = Arc::clone(&state);
        let decided = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            decide::one(&shared, &loaded, &ask, &bytes, format)
        })
        .await
        .map_err(|e| {
            Problem::new(Kind::EvaluationFailed, format!("the decision stopped: {e}"))
        })??;
        Ok::<_, Problem>(with_type((StatusCode::OK, decided).into_response(), JSON))
    })
    .await;
    match answered {
        Ok(Ok(response)) => response,
        Ok(Err(problem)) => refused(&state, problem),
        Err(_) => refused(&state, limits::timed_out(state.config.timeout)),
    }
}

/// A refused decision request, counted by status.
fn refused(state: &State, problem: Problem) -> Response {
    state.metrics.refused(problem.status);
    problem.into_response()
}

/// JSON Lines: the body is fed to a blocking reader, and the decisions sent back as they
/// are written. The whole stream must be read within `--timeout`.
fn stream(
    state: &Arc<State>,
    loaded: Arc<super::reload::Loaded>,
    ask: Ask,
    mut body: Body,
    permit: tokio::sync::OwnedSemaphorePermit,
    deadline: Instant,
) -> Response {
    let (in_tx, in_rx) = mpsc::channel::<std::io::Result<axum::body::Bytes>>(8);
    let (out_tx, out_rx) = mpsc::channel(8);
    let timeout = state.config.timeout;
    tokio::spawn(async move {
        loop {
            let piece = match tokio::time::timeout_at(deadline, limits::next_chunk(&mut body)).await
            {
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "the request took longer than {}, the most one may take",
                        limits::show(timeout)
                    ),
                )),
                Ok(None) => return,
                Ok(Some(Err(e))) => Err(std::io::Error::other(e)),
                Ok(Some(Ok(piece))) => Ok(piece),
            };
            let last = piece.is_err();
            if in_tx.send(piece).await.is_err() || last {
                return;
            }
        }
    });
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        decide::lines(
            &state,
            &loaded,
            &ask,
            ChannelReader::new(in_rx),
            ChannelWriter::new(out_tx),
        );
    });
    with_type(
        (StatusCode::OK, Body::new(ChannelBody(out_rx))).into_response(),
        JSON_LINES,
    )
}

pub(super) fn with_type(mut response: Response, content_type: &'static str) -> Response {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `GET /v1/policies`: what `proviso versions --format json` prints.
async fn policies(Shared(state): Shared<Arc<State>>) -> Response {
    let loaded = state.policies.current();
    let rows: Vec<Row> = loaded.set.listing().map(|v| Row::of(&v)).collect();
    let mut out = Vec::new();
    // Written into memory: it cannot fail.
    let _ = json_lines(&mut out, &rows);
    with_type((StatusCode::OK, out).into_response(), JSON_LINES)
}

/// One policy version in full.
#[derive(Serialize)]
struct Version<'a> {
    #[serde(flatten)]
    row: Row,
    source: &'a str,
    hooks: Vec<Hook<'a>>,
}

#[derive(Serialize)]
struct Hook<'a> {
    name: &'a str,
    /// The file as the policy names it (`from "admin-fee.rhai"`).
    file: &'a str,
    source: &'a str,
}

/// `GET /v1/policies/{name}/{version}`: the name may hold slashes, the version does not.
/// `GET /v1/policies/{name}/schema` is the document schema of a version of `name`.
async fn policy_version(
    Shared(state): Shared<Arc<State>>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let loaded = state.policies.current();
    if let Some(name) = path.strip_suffix("/schema") {
        return schema(&loaded.set, name, query.as_deref()).unwrap_or_else(|p| p.into_response());
    }
    let (name, version) = path.rsplit_once('/').unwrap_or((&path, ""));
    let found = loaded
        .set
        .versions()
        .find(|p| *p.meta.name == *name && *p.meta.version == *version);
    let Some(program) = found else {
        return not_loaded(&loaded.set, name, version).into_response();
    };
    let body = Version {
        row: Row::of(&VersionInfo::of(program)),
        source: &program.meta.file.text,
        hooks: program
            .hooks
            .scripts()
            .zip(program.hooks.files())
            .map(|((name, source), (file, _))| Hook { name, file, source })
            .collect(),
    };
    json(&body)
}

/// The problem for a version of a policy that is not loaded.
pub(super) fn not_loaded(set: &PolicySet, name: &str, version: &str) -> Problem {
    let versions: Vec<String> = set
        .versions()
        .map(|p| format!("{}/{}", p.meta.name, p.meta.version))
        .collect();
    Problem::new(
        Kind::NotFound,
        format!(
            "no version `{}` of a policy `{}` is loaded",
            version.escape_debug(),
            name.escape_debug()
        ),
    )
    .with_help(format!("ask for one of: {}", versions.join(", ")))
}

/// `GET /v1/policies/{name}/schema[?version=V]`: what `proviso schema POLICIES NAME
/// [--version V]` prints.
fn schema(set: &PolicySet, name: &str, query: Option<&str>) -> Result<Response, Problem> {
    let mut version = None;
    for (key, value) in serde_urlencoded_pairs(query.unwrap_or("")) {
        match key.as_str() {
            "version" => version = Some(value),
            other => {
                return Err(Problem::new(
                    Kind::BadRequest,
                    format!("unknown query parameter `{}`", other.escape_debug()),
                )
                .with_help("the parameter is `version=LABEL` (the latest version without it)"))
            }
        }
    }
    let program = match cli_schema::pick(set, name, version.as_deref()) {
        Ok(program) => program,
        Err(Missing::Name(names)) => {
            return Err(Problem::new(
                Kind::NotFound,
                format!("no policy named `{}` is loaded", name.escape_debug()),
            )
            .with_help(format!("ask for one of: {}", names.join(", "))))
        }
        Err(Missing::Version(labels)) => {
            return Err(Problem::new(
                Kind::NotFound,
                format!(
                    "no version `{}` of a policy `{}` is loaded",
                    version.unwrap_or_default().escape_debug(),
                    name.escape_debug()
                ),
            )
            .with_parameter("version")
            .with_help(format!(
                "give one of its versions ({}), or leave out `version` for the latest",
                labels.join(", ")
            )))
        }
    };
    let text = cli_schema::text(program).map_err(|e| {
        Problem::new(
            Kind::EvaluationFailed,
            format!("cannot write the schema: {e}"),
        )
    })?;
    Ok(with_type(
        (StatusCode::OK, text).into_response(),
        "application/schema+json",
    ))
}

fn json(value: &impl Serialize) -> Response {
    let mut body = serde_json::to_vec(value).unwrap_or_default();
    body.push(b'\n');
    with_type((StatusCode::OK, body).into_response(), JSON)
}

async fn status(Shared(state): Shared<Arc<State>>) -> Response {
    json(&state.policies.status(&state))
}

/// What `/healthz` and `/readyz` answer.
#[derive(Serialize)]
struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_versions: Option<usize>,
}

async fn healthz() -> Response {
    json(&Health {
        status: "alive",
        policy_versions: None,
    })
}

/// Ready while a policy set is loaded (always, once started) and shutdown has not begun.
async fn readyz(Shared(state): Shared<Arc<State>>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        let mut r = json(&Health {
            status: "shutting down",
            policy_versions: None,
        });
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return r;
    }
    let versions = state.policies.current().set.versions().count();
    json(&Health {
        status: "ready",
        policy_versions: Some(versions),
    })
}

async fn metrics(Shared(state): Shared<Arc<State>>) -> Response {
    let versions = state.policies.current().set.versions().count();
    with_type(
        (StatusCode::OK, state.metrics.render(versions)).into_response(),
        "text/plain; version=0.0.4; charset=utf-8",
    )
}

async fn not_found(uri: axum::http::Uri) -> Response {
    Problem::new(
        Kind::NotFound,
        format!("nothing is served at `{}`", uri.path()),
    )
    .with_help(
        "the endpoints are /v1/decisions, /v1/policies, /v1/status, /healthz, /readyz, /metrics and the playground at /",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        let pairs = serde_urlencoded_pairs("at=2025%2D06%2D01&explain=&x=a+b%zz");
        assert_eq!(pairs.get("at").map(String::as_str), Some("2025-06-01"));
        assert_eq!(pairs.get("explain").map(String::as_str), Some(""));
        assert_eq!(pairs.get("x").map(String::as_str), Some("a b%zz"));
    }

    #[test]
    fn a_bare_explain_explains() {
        let ask = ask(Some("explain&at=2025-06-01"), "id".into()).ok();
        assert_eq!(ask.as_ref().map(|a| a.explain), Some(true));
        let at = ask.and_then(|a| a.at).map(|d| d.to_string());
        assert_eq!(at.as_deref(), Some("2025-06-01"));
    }

    #[test]
    fn content_types_are_read_by_their_essence() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            media(&h)
        };
        assert!(matches!(
            with("Application/YAML; charset=utf-8"),
            Ok(Media::One(Format::Yaml))
        ));
        assert!(matches!(with("application/x-ndjson"), Ok(Media::Lines)));
        assert!(matches!(
            media(&HeaderMap::new()),
            Ok(Media::One(Format::Json))
        ));
        assert!(matches!(with("text/csv"), Err(p) if p.status == 415));
    }
}
