//! Deciding a batch on several threads: `PolicySet::decide_all`, and `batch::ordered` as
//! `proviso eval --jobs` uses it (decisions written on the workers), with 1 and 2 jobs,
//! against the most two threads can do on this machine: each deciding half the batch on
//! its own, with no hand-over at all.
//!
//! Run with `cargo bench --bench parallel`; see `benches/README.md` for the figures measured.

#![allow(clippy::panic)]

use std::hint::black_box;
use std::io::Write;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use proviso::internals::batch::{self, OwnedDocument};
use proviso::{Format, PolicySet};

mod corpus;
use corpus::{batch, policies};

/// Lines in the batch: enough that each job gets many chunks.
const LINES: usize = 32_000;

fn documents(text: &str) -> Vec<OwnedDocument> {
    text.lines()
        .enumerate()
        .map(|(i, line)| OwnedDocument {
            name: "batch.jsonl".into(),
            text: line.to_string(),
            format: Format::Json,
            line: i + 1,
        })
        .collect()
}

/// Each document's decision as a JSON line (an error as its message), written as
/// `proviso eval --format json` writes it, after what `out` holds.
fn line(set: &PolicySet, doc: &OwnedDocument, out: &mut Vec<u8>) {
    match set.evaluate(&doc.document()) {
        Ok(d) => d.write_json(out).unwrap_or_else(|e| panic!("write: {e}")),
        Err(e) => out.extend_from_slice(e.message.as_bytes()),
    }
    out.push(b'\n');
}

/// The decisions of `docs`, decided and written on one thread.
fn one_thread(set: &PolicySet, docs: &[OwnedDocument]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in docs {
        line(set, d, &mut out);
    }
    out
}

/// As `proviso eval --jobs` runs: documents handed over in chunks of [`batch::CHUNK`],
/// each decided and written on a worker into the chunk's buffer, the buffers written to
/// `out` in input order on the calling thread.
fn ordered(set: &PolicySet, docs: &[OwnedDocument], jobs: usize, out: &mut impl Write) {
    let jobs = NonZeroUsize::new(jobs).unwrap_or(NonZeroUsize::MIN);
    batch::ordered(
        jobs,
        |push| {
            for chunk in docs.chunks(batch::CHUNK) {
                if !push(chunk) {
                    return;
                }
            }
        },
        |chunk: &[OwnedDocument]| one_thread(set, chunk),
        |lines| out.write_all(&lines).is_ok(),
    );
}

/// Output that is counted and dropped, as `proviso eval` writing to `/dev/null`: putting
/// 40 MB together in one buffer would measure its growth (copies and fresh pages faulted
/// in, which the workers' allocations wait on in the kernel) rather than the hand-over.
#[derive(Default)]
struct Counted(usize);

impl Write for Counted {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How many documents `decide_all` decides (no output).
fn decide_all(set: &PolicySet, docs: Vec<OwnedDocument>, jobs: usize) -> usize {
    let jobs = NonZeroUsize::new(jobs).unwrap_or(NonZeroUsize::MIN);
    let mut decided = 0;
    set.decide_all(docs, None, jobs, |_, d| {
        decided += usize::from(d.is_ok());
        true
    });
    decided
}

/// The ceiling: two threads, each with half the documents, sharing only the policies.
fn halves<T: Send>(docs: &[OwnedDocument], f: impl Fn(&[OwnedDocument]) -> T + Sync) -> (T, T) {
    let (first, second) = docs.split_at(docs.len() / 2);
    std::thread::scope(|s| {
        let a = s.spawn(|| f(first));
        let b = f(second);
        (a.join().unwrap_or_else(|_| panic!("a half panicked")), b)
    })
}

fn parallel(c: &mut Criterion) {
    let set = policies();
    let text = batch(LINES);
    let docs = documents(&text);
    let expected = one_thread(&set, &docs);
    for jobs in [1, 2, 3] {
        let mut written = Vec::new();
        ordered(&set, &docs, jobs, &mut written);
        assert!(written == expected, "{jobs} jobs write as one thread");
        assert_eq!(
            decide_all(&set, docs.clone(), jobs),
            LINES,
            "{jobs} jobs decide every line"
        );
    }

    let mut g = c.benchmark_group("parallel");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4))
        .sample_size(10)
        .throughput(Throughput::Bytes(text.len() as u64));
    for jobs in [1, 2] {
        g.bench_with_input(BenchmarkId::new("decide_all", jobs), &jobs, |b, &jobs| {
            // The documents are copied for each run outside the time measured.
            b.iter_batched(
                || docs.clone(),
                |docs| decide_all(&set, black_box(docs), jobs),
                BatchSize::LargeInput,
            )
        });
    }
    g.bench_function("decide_halves/2", |b| {
        b.iter(|| {
            halves(black_box(&docs), |half| {
                half.iter()
                    .filter(|d| set.evaluate(&d.document()).is_ok())
                    .count()
            })
        })
    });
    for jobs in [1, 2] {
        g.bench_with_input(
            BenchmarkId::new("ordered_written", jobs),
            &jobs,
            |b, &jobs| {
                b.iter(|| {
                    let mut out = Counted::default();
                    ordered(&set, black_box(&docs), jobs, &mut out);
                    out.0
                })
            },
        );
    }
    // Each half writes chunk by chunk, as a worker does: one buffer for the whole half
    // would grow by copying and fault in fresh pages, which the two threads then wait on
    // together in the kernel, and would measure that instead of the machine.
    g.bench_function("written_halves/2", |b| {
        b.iter(|| {
            halves(black_box(&docs), |half| {
                half.chunks(batch::CHUNK)
                    .map(|chunk| one_thread(&set, chunk).len())
                    .sum::<usize>()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, parallel);
criterion_main!(benches);
