//! What bounds a request: its id (for logs), its body's size, its time and how many run at once.

use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use http_body::Body as _;

use super::problem::{Kind, Problem};
use crate::cli::input::size;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: its `X-Request-Id` when it has a usable one, else a new one.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The longest `X-Request-Id` taken as given.
const MAX_ID_LEN: usize = 200;

/// Gives each request its id, echoes it in the response's `X-Request-Id`, and logs one
/// line per request: method, path, status, time taken and id.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= MAX_ID_LEN && v.bytes().all(|b| b.is_ascii_graphic())
        });
    let id = given.map_or_else(new_id, str::to_string);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let mut response = next.run(req).await;
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::info!(request_id = %id, %method, %path, status, micros, "request");
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    response
}

/// A new request id: 32 hex digits, unlike any other this process gave.
fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // Each RandomState is keyed at random by the standard library.
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.finish()
    };
    format!("{:016x}{:016x}", half(0), half(1))
}

/// The next piece of a request body: `None` at its end.
pub async fn next_chunk(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

/// Reads a whole request body, refusing one larger than `max` bytes (status 413) as soon
/// as it is seen to be, by its `Content-Length` or by what was read.
pub async fn read_body(mut body: Body, length: Option<u64>, max: u64) -> Result<Vec<u8>, Problem> {
    let too_large = || {
        Problem::new(
            Kind::TooLarge,
            format!(
                "the request body is larger than {}, the most one document may hold",
                size(max)
            ),
        )
        .with_help(
            "send a smaller document, or start the server with a larger `--max-body-bytes SIZE`",
        )
    };
    if length.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = next_chunk(&mut body).await {
        let chunk = chunk.map_err(|e| {
            Problem::new(
                Kind::BadRequest,
                format!("cannot read the request body: {e}"),
            )
            .with_help("send the whole body, as its headers announce it")
        })?;
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The problem for a request that took longer than `--timeout`.
pub fn timed_out(timeout: Duration) -> Problem {
    Problem::new(
        Kind::Timeout,
        format!(
            "the request took longer than {}, the most one may take",
            show(timeout)
        ),
    )
    .with_help("retry later, or start the server with a longer `--timeout DURATION`")
}

/// A duration for people: `30s`, `250ms`, `2m`.
pub fn show(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        _ if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        _ if ms % 1000 == 0 => format!("{}s", ms / 1000),
        _ => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        assert_eq!(show(Duration::from_secs(30)), "30s");
        assert_eq!(show(Duration::from_secs(120)), "2m");
        assert_eq!(show(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn new_ids_differ() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
