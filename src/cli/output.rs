//! Standard output and standard error: every write failure is noticed, none is a panic.
//!
//! `print!` panics on a full disk or a closed pipe, and a stream closed when the command
//! started (`>&-`) takes every write without a word. So the command writes only through this module: standard
//! output through [`stdout`], whose errors the caller turns into exit status 1, and
//! standard error through [`message`], whose failures [`stderr_failed`] reports at the end.

use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Notes which standard streams were closed when the command started.
pub fn init() {
    STDOUT_CLOSED.store(closed_at_start(1), Ordering::Relaxed);
    STDERR_CLOSED.store(closed_at_start(2), Ordering::Relaxed);
}

/// Whether standard stream `fd` was closed when the process started. Before `main`, Rust's
/// runtime opens `/dev/null` read-write in place of a closed standard stream, so that no
/// file opened later takes its place; a shell redirects output to `/dev/null` write-only.
#[cfg(target_os = "linux")]
fn closed_at_start(fd: u8) -> bool {
    let null = std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .is_ok_and(|target| target == std::path::Path::new("/dev/null"));
    let read_write = || {
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap_or_default();
        info.lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .is_some_and(|flags| flags & 0o3 == 0o2)
    };
    null && read_write()
}

#[cfg(not(target_os = "linux"))]
fn closed_at_start(_fd: u8) -> bool {
    false
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
