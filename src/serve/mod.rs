//! `proviso serve`: decisions over HTTP from a policy set reloaded when its files change.
//!
//! The parts: `routes` maps requests to handlers; `decide` decides a request's documents
//! through the same code as `proviso eval --format json`; `problem` writes RFC 9457
//! problem details; `reload` watches the policies and swaps in a new set once it has loaded
//! whole; `log` appends the decision log; `metrics` counts for Prometheus; `limits` holds
//! the request id, body size, time and concurrency limits; `playground` serves the page
//! at `/` and the endpoints it calls. The library knows nothing of
//! this: it stays free of the async runtime.

mod decide;
mod limits;
mod log;
mod metrics;
mod playground;
mod problem;
mod reload;
mod routes;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proviso::{LoadError, PolicySet};
use tokio::sync::Semaphore;

/// How the service runs, from the command line.
pub struct Config {
    /// A policy file or a directory tree of them, as given.
    pub policies: PathBuf,
    pub addr: String,
    /// The largest document, or line of JSON Lines, in bytes.
    pub max_body_bytes: u64,
    pub timeout: Duration,
    pub max_concurrency: NonZeroUsize,
    pub decision_log: Option<PathBuf>,
    /// Whether the decision log holds each input (its sha256 is written either way).
    pub log_input: bool,
    pub watch_interval: Duration,
}

/// What every request shares.
pub struct State {
    pub config: Config,
    pub policies: reload::Policies,
    pub metrics: metrics::Metrics,
    pub log: Option<log::DecisionLog>,
    /// One permit per decision request handled at once.
    pub permits: Arc<Semaphore>,
    /// Set once shutdown starts: not ready any more.
    pub draining: AtomicBool,
}

/// The policy set loaded at start, with the state of its files as they were just before
/// they were read: the watcher compares against that, so an edit made while the service
/// starts is not taken for the loaded version.
pub struct Initial {
    set: PolicySet,
    files: reload::Fingerprint,
}

impl Initial {
    /// Notes the files under `path`, then loads them.
    pub fn load(path: &std::path::Path) -> Result<Self, LoadError> {
        let files = reload::fingerprint(path);
        let set = PolicySet::load(path)?;
        Ok(Initial { set, files })
    }
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight. `announce` is
/// told the address bound (the port chosen, for port 0). Errors are messages for people.
pub fn run(
    config: Config,
    initial: Initial,
    announce: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    init_logs();
    let log = match &config.decision_log {
        Some(path) => Some(log::DecisionLog::open(path, config.log_input)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's threads: {e}"))?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.addr)
            .await
            .map_err(|e| {
                format!(
                    "cannot listen on `{}`: {e}\n  help: give a free address with `--addr HOST:PORT` (port 0 picks one)",
                    config.addr
                )
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the address listened on: {e}"))?;
        // Answers go out at once: without this, a response written in pieces can wait
        // for the client's delayed acknowledgement (tens of milliseconds).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        let state = Arc::new(State {
            permits: Arc::new(Semaphore::new(config.max_concurrency.get())),
            policies: reload::Policies::new(initial.set),
            metrics: metrics::Metrics::default(),
            log,
            draining: AtomicBool::new(false),
            config,
        });
        // Every signal is listened for before the address is announced: until then a
        // signal would end the process at once.
        reload::watch(&state, initial.files);
        let stop = shutdown(Arc::clone(&state), listen(SIGTERM), listen(SIGINT));
        tracing::info!(%addr, policies = %state.config.policies.display(), "listening");
        announce(addr);
        axum::serve(listener, routes::router(Arc::clone(&state)))
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| format!("the server stopped: {e}"))?;
        tracing::info!("stopped");
        Ok(())
    });
    // Every response is written by now; a decision still running has no one to answer.
    runtime.shutdown_timeout(Duration::from_secs(5));
    served
}

/// Logs to standard error: one line per event, with its fields as `key=value`.
fn init_logs() {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}

#[cfg(unix)]
const SIGTERM: i32 = 15;
#[cfg(unix)]
const SIGINT: i32 = 2;
#[cfg(not(unix))]
const SIGTERM: i32 = 0;
#[cfg(not(unix))]
const SIGINT: i32 = 0;

/// A signal, listened for from now on (never, where signals cannot be listened for).
#[cfg(unix)]
fn listen(number: i32) -> Option<tokio::signal::unix::Signal> {
    use tokio::signal::unix::{signal, SignalKind};
    signal(SignalKind::from_raw(number))
        .map_err(|e| tracing::warn!(error = %e, number, "cannot listen for a signal"))
        .ok()
}

#[cfg(not(unix))]
fn listen(_number: i32) -> Option<()> {
    None
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C): the server then stops taking connections.
#[cfg(unix)]
async fn shutdown(
    state: Arc<State>,
    term: Option<tokio::signal::unix::Signal>,
    int: Option<tokio::signal::unix::Signal>,
) {
    let received = |s: Option<tokio::signal::unix::Signal>| async move {
        match s {
            Some(mut s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    let (int, term) = (
        std::pin::pin!(received(int)),
        std::pin::pin!(received(term)),
    );
    let signal = futures_select(int, term).await;
    state.draining.store(true, Ordering::Relaxed);
    tracing::info!(signal, "shutting down: finishing the requests in flight");
}

/// Resolves on Ctrl-C: the server then stops taking connections.
#[cfg(not(unix))]
async fn shutdown(state: Arc<State>, _term: Option<()>, _int: Option<()>) {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
    state.draining.store(true, Ordering::Relaxed);
    tracing::info!(
        signal = "SIGINT",
        "shutting down: finishing the requests in flight"
    );
}

/// Waits for the first of two futures; says which (`SIGINT` or `SIGTERM`).
async fn futures_select(
    mut a: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    mut b: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
) -> &'static str {
    std::future::poll_fn(|cx| {
        if a.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready("SIGINT");
        }
        if b.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready("SIGTERM");
        }
        std::task::Poll::Pending
    })
    .await
}
