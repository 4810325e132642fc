//! Deciding a stream of documents on several threads, with the results in input order.
//!
//! [`ordered`] is the general form: one thread produces items (reading input), `jobs`
//! threads turn each into a result, and the calling thread consumes the results in the
//! order the items were produced. At most [`WINDOW_PER_JOB`] × `jobs` items are between
//! the producer and the consumer at any time, so memory stays flat however long the
//! stream, and a result is consumed as soon as it and every result before it are ready.
//! Handing an item from thread to thread costs a few microseconds, as much as deciding a
//! small document, and often wakes a sleeping thread (a system call and a context switch
//! on each side), so callers hand over documents in chunks (as [`CHUNK`] of them):
//! [`PolicySet::decide_all`] is the form for documents.
//!
//! With one job nothing runs on another thread: each item is produced, worked on and
//! consumed in turn.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::decision::Decision;
use crate::document::Format;
use crate::error::DocumentError;
use crate::policy_set::{Document, PolicySet};

/// How many items per job may be produced ahead of the consumer.
pub const WINDOW_PER_JOB: usize = 4;

/// How many documents [`PolicySet::decide_all`] (and `proviso eval --jobs`) hands to a
/// thread at a time, at most. With 2 jobs on 2 cores, the producer, the workers and the
/// consumer take turns on the cores: each hand-over that finds a thread asleep costs a
/// wake-up. Chunks of 256 rather than 64 JSON claim lines cut the context switches of
/// 100,000 lines from about 6,500 to 2,700 and raised 2 jobs from 1.6 to 1.7 times 1 job;
/// the window ([`WINDOW_PER_JOB`] chunks a job) then holds about 2,000 documents for 2 jobs.
pub const CHUNK: usize = 256;

/// The most bytes of document text a chunk holds before it is handed on (a larger document
/// goes alone), so that the window holds at most about [`WINDOW_PER_JOB`] × jobs × this
/// much text whatever the documents' sizes.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// Whether a chunk of `documents` documents holding `bytes` bytes of text is full: it has
/// [`CHUNK`] documents or [`CHUNK_BYTES`] of text.
pub fn chunk_full(documents: usize, bytes: usize) -> bool {
    documents >= CHUNK || bytes >= CHUNK_BYTES
}

/// The number of jobs to run by default: the cores available (1 when unknown).
pub fn default_jobs() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// Runs `produce` on a thread of its own, handing it a `push` function for each item
/// (which returns `false` once the consumer has stopped: produce no more); runs `work` on
/// each item on `jobs` threads; and calls `consume` with each result in the order the items
/// were pushed, on the calling thread. `consume` returns `false` to stop early: no later
/// result is consumed, and the producer is told to stop.
pub fn ordered<J, R, P, W, C>(jobs: NonZeroUsize, produce: P, work: W, mut consume: C)
where
    J: Send,
    R: Send,
    P: FnOnce(&mut dyn FnMut(J) -> bool) + Send,
    W: Fn(J) -> R + Sync,
    C: FnMut(R) -> bool,
{
    if jobs.get() == 1 {
        let mut stopped = false;
        let mut push = |item: J| {
            stopped = stopped || !consume(work(item));
            !stopped
        };
        produce(&mut push);
        return;
    }
    let window = WINDOW_PER_JOB.saturating_mul(jobs.get());
    // A token for each item between producer and consumer: the producer sends one before
    // each item (waiting when the window is full), the consumer takes one after each result.
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(window);
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, J)>(window);
    let (done_tx, done_rx) = mpsc::channel::<(u64, R)>();
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|scope| {
        scope.spawn(move || producer(produce, &token_tx, &work_tx));
        for _ in 0..jobs.get() {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let work = &work;
            scope.spawn(move || worker(&work_rx, &done_tx, work));
        }
        // Only the workers hold the queue and the result channel now: when the last worker
        // stops, the producer's next send fails instead of waiting forever.
        drop(work_rx);
        drop(done_tx);
        consumer(&mut consume, done_rx, token_rx);
    });
}

/// Numbers each item and hands it to the workers, holding a token for it.
fn producer<J, P>(produce: P, tokens: &SyncSender<()>, work: &SyncSender<(u64, J)>)
where
    P: FnOnce(&mut dyn FnMut(J) -> bool),
{
    let mut seq = 0u64;
    let mut push = |item: J| {
        if tokens.send(()).is_err() || work.send((seq, item)).is_err() {
            return false;
        }
        seq += 1;
        true
    };
    produce(&mut push);
}

/// Takes items until the producer is done, and sends back each result with its number.
fn worker<J, R, W>(items: &Mutex<Receiver<(u64, J)>>, done: &mpsc::Sender<(u64, R)>, work: &W)
where
    W: Fn(J) -> R,
{
    loop {
        // The lock is held only to take the next item, never while working.
        let next = match items.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, item)) = next else {
            return;
        };
        if done.send((seq, work(item))).is_err() {
            return;
        }
    }
}

/// Consumes the results in order; returns (dropping its channels, which stops the
/// producer and the workers) when every result is consumed or `consume` says stop.
fn consumer<R, C>(consume: &mut C, done: Receiver<(u64, R)>, tokens: Receiver<()>)
where
    C: FnMut(R) -> bool,
{
    let mut waiting: BTreeMap<u64, R> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, result) in done.iter() {
        waiting.insert(seq, result);
        while let Some(result) = waiting.remove(&next) {
            next += 1;
            if !consume(result) {
                return;
            }
            // The producer sent this item's token before the item.
            let _ = tokens.recv();
        }
    }
}

/// A document that owns its text, to be decided on another thread.
#[derive(Clone, Debug)]
pub struct OwnedDocument {
    /// The file the document is read from, as in [`Document::name`].
    pub name: Arc<str>,
    /// The document's text.
    pub text: String,
    /// How the text is written.
    pub format: Format,
    /// The line the document starts on, as in [`Document::line`].
    pub line: usize,
}

impl OwnedDocument {
    /// A copy of `doc`'s text, with its name, format and line.
    pub fn of(doc: &Document<'_>) -> Self {
        OwnedDocument {
            name: doc.name.clone(),
            text: doc.text.to_string(),
            format: doc.format,
            line: doc.line,
        }
    }

    /// The document, borrowing this text.
    pub fn document(&self) -> Document<'_> {
        Document {
            name: self.name.clone(),
            text: &self.text,
            format: self.format,
            line: self.line,
        }
    }
}

impl PolicySet {
    /// Decides every document of `documents` on `jobs` threads (see [`ordered`]), taking
    /// them [`CHUNK`] at a time (fewer when their texts reach [`CHUNK_BYTES`]), and calls
    /// `each` with each document and its decision, in the order of `documents`, as soon as
    /// its chunk and every one before it are decided. A chunk is handed on once it is full
    /// or `documents` ends, so a caller whose documents arrive slowly, and who wants each
    /// decision as soon as it can be made, decides them one by one instead
    /// ([`PolicySet::evaluate_at`]). `at` picks the version in force that day for every
    /// document, as in [`PolicySet::evaluate_at`]. `each` returns `false` to stop.
    pub fn decide_all<I, F>(
        &self,
        documents: I,
        at: Option<NaiveDate>,
        jobs: NonZeroUsize,
        mut each: F,
    ) where
        I: IntoIterator<Item = OwnedDocument>,
        I::IntoIter: Send,
        F: FnMut(OwnedDocument, Result<Decision, DocumentError>) -> bool,
    {
        let mut documents = documents.into_iter();
        ordered(
            jobs,
            move |push| loop {
                let mut chunk = Vec::new();
                let mut bytes = 0usize;
                for doc in documents.by_ref() {
                    bytes = bytes.saturating_add(doc.text.len());
                    chunk.push(doc);
                    if chunk_full(chunk.len(), bytes) {
                        break;
                    }
                }
                if chunk.is_empty() || !push(chunk) {
                    return;
                }
            },
            |chunk: Vec<OwnedDocument>| {
                chunk
                    .into_iter()
                    .map(|doc| {
                        let decided = self.evaluate_at(&doc.document(), at);
                        (doc, decided)
                    })
                    .collect::<Vec<_>>()
            },
            |decided| {
                for (doc, d) in decided {
                    if !each(doc, d) {
                        return false;
                    }
                }
                true
            },
        );
    }
}
