//! Hot reload: the policies are loaded anew when their files change or on SIGHUP, and
//! the new set replaces the old one only once it has loaded whole.
//!
//! Changes are found by polling, not by file-system events: every `--watch-interval` the
//! files under POLICIES are listed with their sizes and modification times, and a reload
//! starts when the list differs from the one the last load read. Polling costs one `stat`
//! per file per interval (policy directories hold tens of files), needs no extra
//! dependency, and sees every way a file can change, including those that events miss or
//! report oddly: network file systems, editors that write a new file and rename it over
//! the old, and directories swapped by a symbolic link as container orchestrators do.
//!
//! A request takes the set that serves when it starts (an `Arc`), and keeps it until it
//! is answered; swapping in a new set never waits for requests, nor they for a reload.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};
use proviso::PolicySet;
use serde::Serialize;

use super::State;
use crate::cli::check::load_error_text;
use crate::cli::render;
use crate::cli::versions::Row;

/// A policy set that serves, and when it was loaded.
pub struct Loaded {
    pub set: PolicySet,
    pub at: String,
}

/// The set that serves now, and how the last reload went.
pub struct Policies {
    current: RwLock<Arc<Loaded>>,
    last: Mutex<Option<LastReload>>,
}

/// The last reload tried, as `/v1/status` shows it.
#[derive(Clone, Serialize)]
pub struct LastReload {
    pub time: String,
    /// `ok` or `failed`.
    pub result: &'static str,
    /// `change` (a file under POLICIES changed) or `SIGHUP`.
    pub trigger: &'static str,
    /// The errors of a failed reload, as `proviso check` prints them (file:line:col).
    pub diagnostics: Option<String>,
}

/// `/v1/status`.
#[derive(Serialize)]
pub struct Status {
    pub ready: bool,
    pub policies: Vec<Row>,
    pub loaded_at: String,
    pub last_reload: Option<LastReload>,
    pub reloads: u64,
    pub reload_failures: u64,
}

fn now() -> String {
    DateTime::<Utc>::from(SystemTime::now()).to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Policies {
    pub fn new(set: PolicySet) -> Self {
        Policies {
            current: RwLock::new(Arc::new(Loaded { set, at: now() })),
            last: Mutex::new(None),
        }
    }

    /// The set that serves now: a request keeps it until it is answered.
    pub fn current(&self) -> Arc<Loaded> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn status(&self, state: &State) -> Status {
        let loaded = self.current();
        Status {
            ready: !state.draining.load(Ordering::Relaxed),
            policies: loaded.set.listing().map(|v| Row::of(&v)).collect(),
            loaded_at: loaded.at.clone(),
            last_reload: self.last.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            reloads: state.metrics.reloads.load(Ordering::Relaxed),
            reload_failures: state.metrics.reload_failures.load(Ordering::Relaxed),
        }
    }
}

/// Loads the policies anew; swaps the new set in if it loads, else keeps the old one and
/// keeps the errors for `/v1/status` and the log.
fn reload(state: &State, trigger: &'static str) {
    state.metrics.reloads.fetch_add(1, Ordering::Relaxed);
    let path = &state.config.policies;
    let last = match PolicySet::load(path) {
        Ok(set) => {
            let versions = set.versions().count();
            let loaded = Arc::new(Loaded { set, at: now() });
            *state
                .policies
                .current
                .write()
                .unwrap_or_else(|e| e.into_inner()) = loaded;
            tracing::info!(trigger, versions, "policies reloaded");
            LastReload {
                time: now(),
                result: "ok",
                trigger,
                diagnostics: None,
            }
        }
        Err(e) => {
            state
                .metrics
                .reload_failures
                .fetch_add(1, Ordering::Relaxed);
            let text = load_error_text(&e, render::plain);
            tracing::error!(
                trigger,
                diagnostics = %text,
                "policy reload failed; the policies loaded before keep serving"
            );
            LastReload {
                time: now(),
                result: "failed",
                trigger,
                diagnostics: Some(text),
            }
        }
    };
    *state
        .policies
        .last
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(last);
}

/// Watches the policies on a thread of its own (polling, see above), and reloads them on
/// SIGHUP too.
pub fn watch(state: &Arc<State>, mut seen: Fingerprint) {
    let (tx, rx) = mpsc::channel::<()>();
    // Held by the watching thread, so that its channel stays open whatever becomes of SIGHUP.
    let keep = tx.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(mut hup) => {
                tokio::spawn(async move {
                    while hup.recv().await.is_some() {
                        if tx.send(()).is_err() {
                            return;
                        }
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP: reloads follow file changes only")
            }
        }
    }
    #[cfg(not(unix))]
    drop(tx);
    let state = Arc::clone(state);
    let spawned = std::thread::Builder::new()
        .name("policy-watch".into())
        .spawn(move || {
            let _keep = keep;
            let interval = state.config.watch_interval;
            loop {
                let signalled = rx.recv_timeout(interval).is_ok();
                let now = fingerprint(&state.config.policies);
                if signalled {
                    seen = now;
                    reload(&state, "SIGHUP");
                } else if now != seen {
                    seen = now;
                    reload(&state, "change");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start watching the policies: reloads follow SIGHUP only");
    }
}

/// Every file under `path` (or `path` itself), with its size and modification time,
/// sorted. A file that cannot be read is listed without them.
pub type Fingerprint = Vec<(PathBuf, Option<(u64, SystemTime)>)>;

pub fn fingerprint(path: &Path) -> Fingerprint {
    let mut files = Vec::new();
    let mut walked = std::collections::HashSet::new();
    list(path, &mut walked, &mut files);
    files.sort();
    files
}

fn list(path: &Path, walked: &mut std::collections::HashSet<PathBuf>, out: &mut Fingerprint) {
    if path.is_dir() {
        // A directory reached twice (through a link) is listed once.
        if !std::fs::canonicalize(path).is_ok_and(|real| walked.insert(real)) {
            return;
        }
        if let Ok(entries) = std::fs::read_dir(path) {
            for e in entries.flatten() {
                list(&e.path(), walked, out);
            }
        }
    } else {
        let meta = std::fs::metadata(path).ok();
        let stamp = meta.and_then(|m| Some((m.len(), m.modified().ok()?)));
        out.push((path.to_path_buf(), stamp));
    }
}
