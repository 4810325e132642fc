//! Load on `proviso serve` over loopback: decisions per second and p50/p99 latency for
//! single-document requests on a few keep-alive connections at once, then one JSON Lines
//! stream. Not part of the test suite: `cargo bench --bench serve` (optimised build).
//!
//! `SERVE_BENCH_SECONDS` (default 5) sets how long the single-document load runs,
//! `SERVE_BENCH_CONNECTIONS` (default 4) how many connections send at once, and
//! `SERVE_BENCH_LINES` (default 20000) how many lines the stream holds.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::http::{self, Server};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One decision on a kept-alive connection; the time it took.
fn decide(reader: &mut BufReader<TcpStream>, addr: &str, body: &[u8]) -> Duration {
    let started = Instant::now();
    let head = format!(
        "POST /v1/decisions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    reader.get_mut().write_all(&request).unwrap();
    let mut length = 0;
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    started.elapsed()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted
        .get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn main() {
    let seconds = setting("SERVE_BENCH_SECONDS", 5);
    let connections = setting("SERVE_BENCH_CONNECTIONS", 4);
    let lines = setting("SERVE_BENCH_LINES", 20_000) as usize;
    let dir = http::scratch_with_policies("bench");
    let server = Server::start(&dir, &["policies"]);
    let corpus: Vec<String> = support::read("examples/corpus/shipping-2024.jsonl")
        .lines()
        .map(str::to_string)
        .collect();

    // Single documents, `connections` at once, for `seconds`.
    let until = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|c| {
            let addr = server.addr.clone();
            let corpus = corpus.clone();
            std::thread::spawn(move || {
                let stream = http::connect(&addr);
                stream.set_nodelay(true).unwrap();
                let mut reader = BufReader::new(stream);
                let mut took = Vec::new();
                let mut i = c as usize;
                while Instant::now() < until {
                    took.push(decide(
                        &mut reader,
                        &addr,
                        corpus[i % corpus.len()].as_bytes(),
                    ));
                    i += 1;
                }
                took
            })
        })
        .collect();
    let mut took: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    took.sort();
    println!(
        "single documents, {connections} connections, {seconds}s: {} decisions, {:.0} decisions/s, p50 {:?}, p99 {:?}",
        took.len(),
        took.len() as f64 / seconds as f64,
        percentile(&took, 50),
        percentile(&took, 99)
    );

    // One JSON Lines stream: written by one thread while another reads the decisions.
    let body: String = (0..lines)
        .map(|i| format!("{}\n", corpus[i % corpus.len()]))
        .collect();
    let mut stream = http::connect(&server.addr);
    let started = Instant::now();
    let head = format!(
        "POST /v1/decisions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        body.len()
    );
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        writer.write_all(head.as_bytes()).unwrap();
        writer.write_all(body.as_bytes()).unwrap();
    });
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let elapsed = started.elapsed();
    sender.join().unwrap();
    let r = http::parse(&raw);
    let decided = r
        .text()
        .lines()
        .filter(|l| l.contains("\"decision\":"))
        .count();
    assert_eq!(decided, lines, "every line decided");
    println!(
        "one JSON Lines stream: {lines} lines in {elapsed:?}, {:.0} decisions/s",
        lines as f64 / elapsed.as_secs_f64()
    );
}
