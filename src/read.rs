//! Reading policy and hook files: bounded in size, and UTF-8 with the first bad byte located.

use std::io::Read;
use std::path::Path;

use crate::diagnostic::PolicyError;
use crate::span::{Source, Span};

/// Why a file's text could not be had.
#[derive(Debug)]
pub enum Unreadable {
    /// What the operating system said (no such file, permission denied, ...).
    Io(std::io::Error),
    /// More bytes than the limit; the start of the file, for showing where it begins.
    TooLarge(Source),
    /// Not UTF-8: the error, at the first byte that is not.
    NotUtf8(PolicyError),
}

/// Reads the file at `path` (shown as `name`), which may hold at most `limit` bytes of
/// UTF-8 text; `what` names it in messages ("policy file"). Only `limit + 1` bytes are
/// ever read, however large the file.
pub fn read_text(path: &Path, name: &str, limit: usize, what: &str) -> Result<String, Unreadable> {
    let file = std::fs::File::open(path).map_err(Unreadable::Io)?;
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() > limit {
        let start = String::from_utf8_lossy(&bytes).into_owned();
        return Err(Unreadable::TooLarge(Source::new(name, start)));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let byte = bytes.get(at).copied().unwrap_or_default();
        let source = Source::new(name, String::from_utf8_lossy(&bytes).into_owned());
        let (line, col) = source.line_col(at);
        Unreadable::NotUtf8(
            PolicyError::new(
                &source,
                Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                format!(
                    "{what} is not UTF-8: byte 0x{byte:02X} at line {line}, column {col} is not \
                     part of a UTF-8 character"
                ),
                "not UTF-8",
            )
            .with_help(format!(
                "a {what} must be UTF-8 text: save it with the UTF-8 encoding"
            )),
        )
    })
}
