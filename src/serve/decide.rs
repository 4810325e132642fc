//! Deciding a request's documents as `proviso eval --format json` does, through its code.
//!
//! A request's body is read by the CLI's reader (`read_whole` for one document,
//! `read_lines` for JSON Lines), each document decided by the CLI's `Decider` and written
//! by its `write_decision`, each undecided one written as its error line: so a response
//! holds the bytes `eval` prints for the same input. The input is named `request`: a
//! decision's `input` is `{"path":"request"}`, and `{"path":"request","line":N}` for line
//! N of JSON Lines. This runs on a blocking thread; JSON Lines come in and go out through
//! channels, so the first decisions are sent while the rest of the stream is still read.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Bytes;
use chrono::NaiveDate;
use http_body::Frame;
use proviso::{Document, DocumentError, Format};
use tokio::sync::mpsc;

use super::log::Logged;
use super::problem::{Kind, Problem};
use super::reload::Loaded;
use super::State;
use crate::cli::eval::{write_decision, Decider, ErrorLine};
use crate::cli::input::{self, InputError, Options, Sink};
use crate::cli::OutputFormat;

/// The name a request's documents are read under.
pub const INPUT_NAME: &str = "request";

/// What a request asks besides its documents.
pub struct Ask {
    pub request_id: String,
    pub at: Option<NaiveDate>,
    pub explain: bool,
}

/// What every document of a request is decided with.
struct Context_<'a> {
    state: &'a State,
    loaded: &'a Loaded,
    ask: &'a Ask,
}

impl Context_<'_> {
    fn decider(&self) -> Decider<'_> {
        Decider {
            set: &self.loaded.set,
            at: self.ask.at,
            explain: self.ask.explain,
            format: OutputFormat::Json,
        }
    }

    /// Decides a document: its line of output (with its line break), or its error and
    /// the problem that error is.
    fn decide(&self, doc: &Document<'_>) -> Result<Vec<u8>, Box<(DocumentError, Problem)>> {
        let started = Instant::now();
        let decided = self.decider().decide(doc);
        let (d, trace) = match decided {
            Ok(d) => d,
            Err(e) => {
                let p = Problem::document(&e, doc.text, doc.format, &self.loaded.set);
                tracing::warn!(request_id = %self.ask.request_id, line = doc.line, status = p.status, error = %e, "no decision");
                return Err(Box::new((e, p)));
            }
        };
        let mut line = Vec::new();
        // Written into memory: it cannot fail, and leaves an empty line if it did.
        let _ = write_decision(&mut line, OutputFormat::Json, &d, trace.as_ref());
        let policy = &d.policy;
        self.state
            .metrics
            .decided(&policy.name, &policy.version, d.decision, started.elapsed());
        if let Some(log) = &self.state.log {
            let logged = Logged {
                request_id: &self.ask.request_id,
                text: doc.text,
                format: doc.format,
                decision: &d,
                line: &line,
            };
            if let Err(e) = log.write(&logged) {
                self.state
                    .metrics
                    .decision_log_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!(request_id = %self.ask.request_id, error = %e, "cannot write to the decision log");
            }
        }
        Ok(line)
    }
}

/// Decides one document: the decision's line, or the problem that refuses it.
pub fn one(
    state: &State,
    loaded: &Loaded,
    ask: &Ask,
    body: &[u8],
    format: Format,
) -> Result<Vec<u8>, Problem> {
    let mut sink = One {
        cx: Context_ { state, loaded, ask },
        result: None,
    };
    let opts = Options {
        format: None,
        max_bytes: state.config.max_body_bytes,
    };
    let name: Arc<str> = INPUT_NAME.into();
    // The sink never fails: it keeps what it is given.
    let _ = input::read_whole(&name, body, format, &opts, &mut sink);
    sink.result.unwrap_or_else(|| {
        Err(Problem::new(
            Kind::Unreadable,
            "the request holds no document",
        ))
    })
}

struct One<'a> {
    cx: Context_<'a>,
    result: Option<Result<Vec<u8>, Problem>>,
}

impl Sink for One<'_> {
    fn document(&mut self, doc: &Document<'_>) -> io::Result<()> {
        self.result = Some(self.cx.decide(doc).map_err(|refused| refused.1));
        Ok(())
    }

    fn error(&mut self, e: &InputError) -> io::Result<()> {
        self.result = Some(Err(Problem::new(input_kind(e), e.message.clone())));
        Ok(())
    }

    fn idle(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The kind of problem an unreadable input (or line) is: too long, or not UTF-8.
pub(super) fn input_kind(e: &InputError) -> Kind {
    if e.message.contains("the most one document may hold") {
        Kind::TooLarge
    } else {
        Kind::Unreadable
    }
}

/// Decides JSON Lines read from `reader`, writing one line out per line in, in order.
pub fn lines(state: &State, loaded: &Loaded, ask: &Ask, reader: impl Read, out: impl Write) {
    let mut sink = Lines {
        cx: Context_ { state, loaded, ask },
        out,
    };
    let opts = Options {
        format: None,
        max_bytes: state.config.max_body_bytes,
    };
    let name: Arc<str> = INPUT_NAME.into();
    let done = input::read_lines(&name, reader, &opts, &mut sink).and_then(|()| sink.out.flush());
    if let Err(e) = done {
        tracing::warn!(request_id = %ask.request_id, error = %e, "the stream stopped early");
    }
}

struct Lines<'a, W> {
    cx: Context_<'a>,
    out: W,
}

impl<W: Write> Sink for Lines<'_, W> {
    fn document(&mut self, doc: &Document<'_>) -> io::Result<()> {
        match self.cx.decide(doc) {
            Ok(line) => self.out.write_all(&line),
            Err(refused) => {
                self.cx.state.metrics.refused(refused.1.status);
                ErrorLine::undecided(&refused.0, &doc.input()).write(&mut self.out)
            }
        }
    }

    fn error(&mut self, e: &InputError) -> io::Result<()> {
        self.cx
            .state
            .metrics
            .refused(input_kind(e).status().as_u16());
        tracing::warn!(request_id = %self.cx.ask.request_id, error = %e.message, "no document");
        ErrorLine::unread(e).write(&mut self.out)
    }

    fn idle(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A request body handed from the async side to the blocking reader, piece by piece.
pub struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    piece: Bytes,
}

impl ChannelReader {
    pub fn new(rx: mpsc::Receiver<io::Result<Bytes>>) -> Self {
        ChannelReader {
            rx,
            piece: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.piece.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(piece)) => self.piece = piece,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.piece.len());
        let taken = self.piece.split_to(n);
        buf.get_mut(..n)
            .map(|b| b.copy_from_slice(&taken))
            .ok_or_else(|| io::Error::other("read past the buffer"))?;
        Ok(n)
    }
}

/// Output handed from the blocking writer to the response body, a buffer at each flush.
pub struct ChannelWriter {
    tx: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

/// Output held before it is sent on without a flush.
const SEND_AT: usize = 64 * 1024;

impl ChannelWriter {
    pub fn new(tx: mpsc::Sender<Bytes>) -> Self {
        ChannelWriter {
            tx,
            buf: Vec::new(),
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        if self.buf.len() >= SEND_AT {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(piece)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

/// A response body that is what a [`ChannelWriter`] sends.
pub struct ChannelBody(pub mpsc::Receiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|piece| piece.map(|b| Ok(Frame::data(b))))
    }
}
