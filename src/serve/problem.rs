//! RFC 9457 problem details: every refused request says why as `application/problem+json`.
//!
//! Each problem has a `type` (a `urn:proviso:problem:` name that does not change), a
//! `title` (the same for every problem of its type), the HTTP `status`, and a `detail` for
//! this request. Extension members say more when they are known: `document` (the
//! document's id), `path` (the dotted path of the offending field), `location` (its
//! `request:line:col`), `line` (the line of JSON Lines), `parameter` (a query parameter),
//! `help` (what to do about it) and `diagnostics` (a policy's errors, in the playground).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use miette::Diagnostic;
use proviso::internals::document::Scanned;
use proviso::{DocumentError, DocumentErrorKind, Format, PolicySet};
use serde::de::IgnoredAny;
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(flatten)]
    pub more: Box<Extensions>,
}

/// The extension members, each written when known.
#[derive(Debug, Default, Serialize)]
pub struct Extensions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A policy's errors, each located (the playground's `policy-invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<super::playground::Diagnosed>>,
}

/// The kinds of problem: name (for `type`), status and title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Not JSON or YAML, or not UTF-8.
    Unreadable,
    /// A query parameter, or the request itself, is wrong.
    BadRequest,
    /// The document names a policy that is not loaded.
    UnknownPolicy,
    /// No such route, or no such policy version.
    NotFound,
    TooLarge,
    UnsupportedMediaType,
    /// The document does not fit its policy, or no version of it is in force.
    Invalid,
    /// A rule failed on the document (an overflow, a hook's failure).
    EvaluationFailed,
    /// The request took longer than `--timeout`.
    Timeout,
    /// A policy sent to the playground does not compile.
    PolicyInvalid,
}

impl Kind {
    fn parts(self) -> (&'static str, StatusCode, &'static str) {
        match self {
            Kind::Unreadable => (
                "unreadable-document",
                StatusCode::BAD_REQUEST,
                "the document cannot be read",
            ),
            Kind::BadRequest => (
                "bad-request",
                StatusCode::BAD_REQUEST,
                "the request is wrong",
            ),
            Kind::UnknownPolicy => (
                "unknown-policy",
                StatusCode::NOT_FOUND,
                "the document names a policy that is not loaded",
            ),
            Kind::NotFound => ("not-found", StatusCode::NOT_FOUND, "nothing is here"),
            Kind::TooLarge => (
                "body-too-large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is too large",
            ),
            Kind::UnsupportedMediaType => (
                "unsupported-media-type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the request body's content type is not one that is read",
            ),
            Kind::Invalid => (
                "document-invalid",
                StatusCode::UNPROCESSABLE_ENTITY,
                "the document does not fit its policy",
            ),
            Kind::EvaluationFailed => (
                "evaluation-failed",
                StatusCode::UNPROCESSABLE_ENTITY,
                "a rule failed on the document",
            ),
            Kind::Timeout => (
                "timeout",
                StatusCode::SERVICE_UNAVAILABLE,
                "the request took too long",
            ),
            Kind::PolicyInvalid => (
                "policy-invalid",
                StatusCode::UNPROCESSABLE_ENTITY,
                "the policy does not compile",
            ),
        }
    }

    pub fn status(self) -> StatusCode {
        self.parts().1
    }
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        let (name, status, title) = kind.parts();
        Problem {
            kind: format!("urn:proviso:problem:{name}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            more: Box::default(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.more.help = Some(help.into());
        self
    }

    pub fn with_parameter(mut self, parameter: &'static str) -> Self {
        self.more.parameter = Some(parameter);
        self
    }

    /// A document that got no decision: the problem its error is, with the document's id,
    /// the field's path and its `request:line:col` when the error gives them.
    pub fn document(e: &DocumentError, text: &str, format: Format, set: &PolicySet) -> Self {
        let mut p = Problem::new(classify(e, text, format, set), e.message.clone());
        p.more.document = e.document.clone();
        p.more.path = e.path.clone();
        if e.at.is_some() && e.kind == DocumentErrorKind::Invalid {
            p.more.location = e.code().map(|c| c.to_string());
        }
        p.more.help = e.help.as_deref().map(str::to_string);
        p
    }
}

/// What kind of problem a document's error is: a text that is not JSON or YAML at all
/// is unreadable (400); a document naming a policy not loaded, an unknown policy (404);
/// a rule that failed, an evaluation failure (422); anything else does not fit (422).
pub fn classify(e: &DocumentError, text: &str, format: Format, set: &PolicySet) -> Kind {
    if e.kind == DocumentErrorKind::Evaluation {
        return Kind::EvaluationFailed;
    }
    let readable = match format {
        Format::Json => serde_json::from_str::<IgnoredAny>(text).is_ok(),
        Format::Yaml => serde_yaml::from_str::<IgnoredAny>(text).is_ok(),
    };
    if !readable {
        return Kind::Unreadable;
    }
    if e.path.as_deref() == Some("policy") {
        let named = Scanned::new(text, format)
            .and_then(|s| s.envelope())
            .ok()
            .and_then(|env| env.policy);
        if let Some(name) = named {
            if !set.versions().any(|p| *p.meta.name == *name) {
                return Kind::UnknownPolicy;
            }
        }
    }
    Kind::Invalid
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut body = serde_json::to_vec(&self).unwrap_or_default();
        body.push(b'\n');
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_has_its_type_title_and_status() {
        let p = Problem::new(Kind::TooLarge, "too big").with_help("send less");
        let json = serde_json::to_string(&p).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"urn:proviso:problem:body-too-large","title":"the request body is too large","status":413,"detail":"too big","help":"send less"}"#
        );
    }
}
