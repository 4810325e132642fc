//! Standard output and standard error: every write failure is noticed, none is a panic.
//!
//! Rust's own streams ignore writes to a closed descriptor (`>&-`) and `print!` panics on a
//! full disk or a closed pipe. So the command writes only through this module: standard
//! output through [`stdout`], whose errors the caller turns into exit status 1, and
//! standard error through [`message`], whose failures [`stderr_failed`] reports at the end.

use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// The descriptors taken in place of closed standard streams, held while the command runs.
pub struct Held {
    _files: Vec<std::fs::File>,
}

/// Notes which standard streams were closed when the command started, and takes their
/// descriptors (with `/dev/null`) so that no file opened later gets one of them.
pub fn guard() -> Held {
    let closed = closed_streams();
    STDOUT_CLOSED.store(closed[1], Ordering::Relaxed);
    STDERR_CLOSED.store(closed[2], Ordering::Relaxed);
    let mut held = Vec::new();
    // A new descriptor is the lowest free one: opened in order, each fills one closed stream.
    for (i, &shut) in closed.iter().enumerate() {
        if shut {
            let opened = std::fs::OpenOptions::new()
                .read(i == 0)
                .write(i > 0)
                .open("/dev/null");
            held.extend(opened);
        }
    }
    Held { _files: held }
}

#[cfg(unix)]
fn closed_streams() -> [bool; 3] {
    use std::os::fd::AsFd;
    // Duplicating a descriptor fails only when it is not open.
    [
        io::stdin().as_fd().try_clone_to_owned().is_err(),
        io::stdout().as_fd().try_clone_to_owned().is_err(),
        io::stderr().as_fd().try_clone_to_owned().is_err(),
    ]
}

#[cfg(not(unix))]
fn closed_streams() -> [bool; 3] {
    [false; 3]
}

/// Whether standard output was closed when the command started.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Whether standard error was closed when the command started.
pub fn stderr_closed() -> bool {
    STDERR_CLOSED.load(Ordering::Relaxed)
}

/// Standard output, failing every write when it is closed.
pub struct Stdout(io::StdoutLock<'static>);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stdout_closed() && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "standard output is closed",
            ));
        }
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Buffered standard output.
pub fn stdout() -> BufWriter<Stdout> {
    BufWriter::with_capacity(64 * 1024, Stdout(io::stdout().lock()))
}

/// Writes text to standard error; a failure is remembered for the exit status.
pub fn message(text: &str) {
    if text.is_empty() {
        return;
    }
    if stderr_closed() || io::stderr().lock().write_all(text.as_bytes()).is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Whether anything meant for standard error could not be written.
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::Relaxed)
}

/// Says (on standard error, if it can) that standard output failed, and gives exit status 1.
pub fn stdout_failed(e: &io::Error) -> i32 {
    message(&format!("error: cannot write to standard output: {e}\n"));
    super::EXIT_FAILURE
}
