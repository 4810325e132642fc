//! JSON-RPC messages framed by `Content-Length` headers, read and written over a byte
//! stream (standard input and output).
//!
//! Reading never gives up on bad input: a header block without a usable `Content-Length`,
//! a body that is not UTF-8 or not JSON, or a JSON value that is not a message each becomes
//! a [`Incoming::Malformed`], answered with an error response, and the next message is read.

use std::io::{self, BufRead, Read, Write};

use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};

/// The largest message body read, in bytes: a policy file is at most 1 MiB, and its
/// text may be escaped in JSON.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// The longest header line read.
const MAX_HEADER_LINE: u64 = 8 << 10;

/// What was read from the client.
pub enum Incoming {
    Message(Message),
    /// Not a message: answered with an error response, with the request id when one could
    /// be read.
    Malformed {
        id: Value,
        code: ErrorCode,
        message: String,
    },
}

fn malformed(id: Value, code: ErrorCode, message: impl Into<String>) -> Incoming {
    Incoming::Malformed {
        id,
        code,
        message: message.into(),
    }
}

/// Reads the next message; `None` at the end of the input.
pub fn read(r: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<usize> = None;
    let mut bad: Option<String> = None;
    let mut seen = false;
    loop {
        let mut line = Vec::new();
        let n = r
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            // The input ended inside a header block: say so once, then end.
            return Ok(seen.then(|| {
                let why = bad.unwrap_or_else(|| "the input ended inside a header".into());
                malformed(Value::Null, ErrorCode::ParseError, why)
            }));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if seen {
                break;
            }
            continue;
        }
        seen = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        bad.get_or_insert(format!("invalid `Content-Length`: `{}`", value.trim()));
                    }
                }
            }
            Some(_) => {}
            None => {
                let shown: String = text.chars().take(40).collect();
                bad.get_or_insert(format!("invalid header line `{shown}`"));
            }
        }
    }
    let length = match (bad, length) {
        (Some(why), _) => return Ok(Some(malformed(Value::Null, ErrorCode::ParseError, why))),
        (None, None) => {
            let why = "a message has no `Content-Length` header";
            return Ok(Some(malformed(Value::Null, ErrorCode::ParseError, why)));
        }
        (None, Some(n)) => n,
    };
    if length > MAX_BODY_BYTES {
        io::copy(&mut r.by_ref().take(length as u64), &mut io::sink())?;
        let why =
            format!("a message of {length} bytes is larger than the limit of {MAX_BODY_BYTES}");
        return Ok(Some(malformed(Value::Null, ErrorCode::InvalidRequest, why)));
    }
    let mut body = vec![0; length];
    if let Err(e) = r.read_exact(&mut body) {
        return match e.kind() {
            io::ErrorKind::UnexpectedEof => Ok(Some(malformed(
                Value::Null,
                ErrorCode::ParseError,
                "the input ended inside a message",
            ))),
            _ => Err(e),
        };
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let why = format!("a message is not JSON: {e}");
            return Ok(Some(malformed(Value::Null, ErrorCode::ParseError, why)));
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Ok(Some(Incoming::Message(m))),
        Err(e) => {
            let why = format!("not a JSON-RPC request, response or notification: {e}");
            Ok(Some(malformed(id, ErrorCode::InvalidRequest, why)))
        }
    }
}

/// Writes a message.
pub fn write(w: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(w)
}

/// Writes an error response for input that was not a message.
pub fn write_error(
    w: &mut impl Write,
    id: &Value,
    code: ErrorCode,
    message: &str,
) -> io::Result<()> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
    .to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    w.flush()
}
