//! `proviso serve`: the HTTP decision service (see `src/serve/`), started from the command line.

use std::io::Write;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use super::check::report_load_error;
use super::{input, output, render, EXIT_FAILURE, EXIT_OK, EXIT_POLICY};
use crate::serve::{self, Config};

pub const AFTER_HELP: &str = "\
Endpoints:
  POST /v1/decisions          one document (JSON, or YAML with Content-Type application/yaml),
                              or JSON Lines (application/x-ndjson) streamed line by line;
                              query: at=YYYY-MM-DD, explain=true
  GET  /v1/policies           every policy version, as `proviso versions --format json`
  GET  /v1/policies/NAME/VERSION  one version: its source, sha256, dates and hooks
  GET  /v1/policies/NAME/schema   the JSON Schema of its documents, as `proviso schema`
                              prints it; query: version=LABEL (default: the latest)
  GET  /v1/status             the policies loaded and the last reload (with its diagnostics)
  GET  /healthz, /readyz      alive; ready to decide (policies loaded, not shutting down)
  GET  /metrics               Prometheus text format
  GET  /                      the playground: a page to try a policy on a document,
                              edit the policy and compare versions, in a browser
  GET  /v1/playground/examples, POST /v1/playground/decide, POST /v1/playground/diff
                              what the playground calls (see the README)

The policies are reloaded when a file under POLICIES changes (checked every
--watch-interval) and on SIGHUP; a set that does not load leaves the previous one serving.
SIGTERM or Ctrl-C stops taking connections and exits 0 once the requests in flight are answered.

Exit status:
  0  stopped by SIGTERM or Ctrl-C
  1  the address cannot be listened on, or the decision log cannot be opened
  2  usage error: unknown command, option or value
  3  invalid policy: the policies could not be loaded at start";

#[derive(clap::Args)]
pub struct Args {
    /// A policy file, or a directory tree of them (watched for changes)
    policies: PathBuf,
    /// The address to listen on (port 0: any free port; the address bound is printed on standard output)
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// The largest request body read: one document, or one line of JSON Lines. In bytes, or
    /// with a unit: 64KiB, 16MiB, 1GiB. A larger one is refused with status 413
    #[arg(long, value_name = "SIZE", value_parser = input::parse_size, default_value = "16MiB")]
    max_body_bytes: u64,
    /// The longest a request may take, waiting for its turn included, like 30s, 500ms or
    /// 2m: a document not decided in time is answered with status 503; a JSON Lines stream
    /// not read whole in time ends with an error line
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    timeout: Duration,
    /// The most decision requests handled at once; more wait their turn
    #[arg(long, value_name = "N", default_value = "64")]
    max_concurrency: NonZeroUsize,
    /// Append one JSON line per decision to this file: time, request id, input and its
    /// sha256, policy version, outcome and amounts, and the decision
    #[arg(long, value_name = "FILE")]
    decision_log: Option<PathBuf>,
    /// Leave the input out of the decision log (its sha256 is still written)
    #[arg(long, requires = "decision_log")]
    decision_log_omit_input: bool,
    /// How often to look for changed policy files, like 1s or 250ms
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1s")]
    watch_interval: Duration,
}

/// `30s`, `500ms`, `2m`, `1h`, or a number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = s.get(digits.len()..).unwrap_or_default();
    let millis: u64 = match unit {
        "ms" => 1,
        "" | "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => {
            return Err(format!(
                "expected a duration like 30s, 500ms or 2m, found `{s}`"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(millis))
        .filter(|&n| n > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("expected a duration like 30s, 500ms or 2m, found `{s}`"))
}

pub fn run(args: &Args) -> i32 {
    let initial = match serve::Initial::load(&args.policies) {
        Ok(initial) => initial,
        Err(e) => {
            report_load_error(&e);
            return EXIT_POLICY;
        }
    };
    let config = Config {
        policies: args.policies.clone(),
        addr: args.addr.clone(),
        max_body_bytes: args.max_body_bytes,
        timeout: args.timeout,
        max_concurrency: args.max_concurrency,
        decision_log: args.decision_log.clone(),
        log_input: !args.decision_log_omit_input,
        watch_interval: args.watch_interval,
    };
    let announce = |addr: std::net::SocketAddr| {
        let mut out = output::stdout();
        let written = writeln!(out, "listening on http://{addr}").and_then(|()| out.flush());
        if let Err(e) = written {
            output::stdout_failed(&e);
        }
    };
    match serve::run(config, initial, announce) {
        Ok(()) => EXIT_OK,
        Err(message) => {
            render::message(&format!("error: {message}\n"));
            EXIT_FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        let wrong = "expected a duration like 30s, 500ms or 2m, found";
        assert_eq!(parse_duration("0s"), Err(format!("{wrong} `0s`")));
        assert_eq!(parse_duration("3 days"), Err(format!("{wrong} `3 days`")));
        assert_eq!(parse_duration("s"), Err(format!("{wrong} `s`")));
    }
}
