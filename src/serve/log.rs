//! The decision log: one JSON line appended per decision, enough to replay it with `proviso eval`.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use proviso::internals::decision::format_money;
use proviso::{Decision, Format};
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

pub struct DecisionLog {
    file: Mutex<File>,
    with_input: bool,
}

/// One line of the log.
#[derive(Serialize)]
struct Entry<'a> {
    /// When the decision was made, RFC 3339 in UTC.
    time: String,
    request_id: &'a str,
    /// SHA-256 of the document's bytes as decided (for JSON Lines, the line's).
    input_sha256: String,
    /// `json` or `yaml`: how the input was read.
    input_format: &'static str,
    /// The document's text, unless `--decision-log-omit-input`.
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a str>,
    policy: Policy<'a>,
    outcome: &'static str,
    payout: Option<Amount<'a>>,
    refund: Option<Amount<'a>>,
    /// The decision, byte for byte as the response holds it.
    decision: &'a RawValue,
}

#[derive(Serialize)]
struct Policy<'a> {
    name: &'a str,
    version: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct Amount<'a> {
    amount: String,
    currency: &'a str,
}

/// A decision to log: its request, its document and the line written for it.
pub struct Logged<'a> {
    pub request_id: &'a str,
    pub text: &'a str,
    pub format: Format,
    pub decision: &'a Decision,
    /// The decision as written in the response, one line of JSON.
    pub line: &'a [u8],
}

impl DecisionLog {
    /// Opens (or creates) the log to append to.
    pub fn open(path: &Path, with_input: bool) -> Result<Self, String> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                format!(
                    "cannot open the decision log `{}`: {e}\n  help: give a file that can be written with `--decision-log FILE`",
                    path.display()
                )
            })?;
        Ok(DecisionLog {
            file: Mutex::new(file),
            with_input,
        })
    }

    /// Appends one decision, as one write of one line.
    pub fn write(&self, l: &Logged<'_>) -> std::io::Result<()> {
        let text = std::str::from_utf8(l.line).map_err(std::io::Error::other)?;
        let decision: &RawValue =
            serde_json::from_str(text.trim_end()).map_err(std::io::Error::other)?;
        let d = l.decision;
        let entry = Entry {
            time: DateTime::<Utc>::from(std::time::SystemTime::now())
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            request_id: l.request_id,
            input_sha256: sha256(l.text.as_bytes()),
            input_format: match l.format {
                Format::Json => "json",
                Format::Yaml => "yaml",
            },
            input: Some(l.text).filter(|_| self.with_input),
            policy: Policy {
                name: &d.policy.name,
                version: &d.policy.version,
                sha256: &d.policy.sha256,
            },
            outcome: d.decision.as_str(),
            payout: d.payout.as_ref().map(|p| amount(p.amount, &p.currency)),
            refund: d.refund.as_ref().map(|r| amount(r.amount, &r.currency)),
            decision,
        };
        let mut line = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&line)
    }
}

fn amount(amount: rust_decimal::Decimal, currency: &str) -> Amount<'_> {
    Amount {
        amount: format_money(amount),
        currency,
    }
}

/// Lower-case hex SHA-256.
fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
