//! Deciding on several threads: results in input order, a bounded window, stopping early,
//! and `PolicySet::decide_all` agreeing with one document at a time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

use proviso::internals::batch::{self, OwnedDocument, CHUNK, WINDOW_PER_JOB};
use proviso::{Document, Format, PolicySet};

fn jobs(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// Work that takes longer for some items than for others, so that they finish out of order.
fn slow_square(i: u64) -> u64 {
    let spins = (i % 5) * 20_000;
    let mut x = i;
    for _ in 0..spins {
        x = std::hint::black_box(x);
    }
    x * x
}

#[test]
fn results_come_in_input_order_whatever_the_jobs() {
    for n in [1, 2, 3, 8] {
        let mut seen = Vec::new();
        batch::ordered(
            jobs(n),
            |push| {
                for i in 0..500u64 {
                    assert!(push(i));
                }
            },
            slow_square,
            |r| {
                seen.push(r);
                true
            },
        );
        let expected: Vec<u64> = (0..500u64).map(|i| i * i).collect();
        assert_eq!(seen, expected, "{n} jobs");
    }
}

#[test]
fn the_producer_stays_within_the_window() {
    let produced = AtomicUsize::new(0);
    let mut most = 0;
    let mut consumed = 0;
    batch::ordered(
        jobs(2),
        |push| {
            for i in 0..5_000u64 {
                produced.fetch_add(1, Ordering::SeqCst);
                if !push(i) {
                    return;
                }
            }
        },
        slow_square,
        |_| {
            consumed += 1;
            most = most.max(produced.load(Ordering::SeqCst) - consumed);
            true
        },
    );
    assert_eq!(consumed, 5_000);
    // The window, and the one item the producer holds while it waits for room.
    assert!(most <= 2 * WINDOW_PER_JOB + 1, "{most} items ahead");
}

#[test]
fn a_consumer_that_stops_stops_the_producer() {
    for n in [1, 3] {
        let produced = AtomicUsize::new(0);
        let mut consumed = 0;
        batch::ordered(
            jobs(n),
            |push| {
                for i in 0..1_000_000u64 {
                    produced.fetch_add(1, Ordering::SeqCst);
                    if !push(i) {
                        return;
                    }
                }
            },
            |i| i,
            |r| {
                assert_eq!(r, consumed);
                consumed += 1;
                consumed < 10
            },
        );
        assert_eq!(consumed, 10);
        let produced = produced.load(Ordering::SeqCst);
        assert!(
            produced <= 10 + n * WINDOW_PER_JOB + 1,
            "{n} jobs: {produced} produced"
        );
    }
}

#[test]
fn decide_all_decides_as_evaluate_does_in_order() {
    let set = PolicySet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies")).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/shipping");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    let examples: Vec<OwnedDocument> = names
        .iter()
        .map(|p| OwnedDocument {
            name: p.display().to_string().into(),
            text: std::fs::read_to_string(p).unwrap(),
            format: Format::Yaml,
            line: 0,
        })
        .collect();
    assert!(examples.len() > 40);
    // Six chunks, the last one short: with 2 jobs, several a job.
    let docs: Vec<OwnedDocument> = examples
        .iter()
        .cycle()
        .take(5 * CHUNK + 7)
        .cloned()
        .collect();
    let expected: Vec<String> = docs
        .iter()
        .map(
            |d| match set.evaluate(&Document::yaml(d.name.clone(), &d.text)) {
                Ok(decision) => serde_json::to_string(&decision).unwrap(),
                Err(e) => e.message,
            },
        )
        .collect();
    for n in [1, 2, 4] {
        let mut got = Vec::new();
        set.decide_all(docs.clone(), None, jobs(n), |doc, decided| {
            got.push(match decided {
                Ok(decision) => {
                    assert_eq!(decision.input.as_ref().unwrap().path, doc.name);
                    serde_json::to_string(&decision).unwrap()
                }
                Err(e) => e.message,
            });
            true
        });
        assert_eq!(got, expected, "{n} jobs");
    }
}
