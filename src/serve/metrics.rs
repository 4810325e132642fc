//! Counters for `/metrics`, written in the Prometheus text exposition format (version 0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proviso::Outcome;

/// Upper bounds of the decision-time histogram's buckets, in microseconds.
const BUCKETS_MICROS: [u64; 14] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 5_000_000,
];

/// A count of decisions is kept per policy, version and outcome.
type DecisionKey = (Arc<str>, Arc<str>, &'static str);

#[derive(Default)]
pub struct Metrics {
    /// Decisions by policy, version and outcome.
    decisions: Mutex<BTreeMap<DecisionKey, u64>>,
    /// Documents refused (no decision) by the HTTP status their problem has.
    refused: Mutex<BTreeMap<u16, u64>>,
    /// Time to read and decide one document: a count per bucket, then the total.
    buckets: [AtomicU64; BUCKETS_MICROS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    pub reloads: AtomicU64,
    pub reload_failures: AtomicU64,
    pub decision_log_failures: AtomicU64,
}

impl Metrics {
    /// One decision made, and how long reading and deciding its document took.
    pub fn decided(&self, policy: &Arc<str>, version: &Arc<str>, outcome: Outcome, took: Duration) {
        let key = (Arc::clone(policy), Arc::clone(version), outcome.as_str());
        let mut decisions = self.decisions.lock().unwrap_or_else(|e| e.into_inner());
        *decisions.entry(key).or_default() += 1;
        drop(decisions);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS_MICROS) {
            if micros <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// One document refused, with the status its problem has.
    pub fn refused(&self, status: u16) {
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        *refused.entry(status).or_default() += 1;
    }

    /// The exposition: every metric with its HELP and TYPE lines.
    pub fn render(&self, versions_loaded: usize) -> String {
        let mut out = String::new();
        let decisions = self
            .decisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        head(
            &mut out,
            "proviso_decisions_total",
            "counter",
            "Decisions made, by policy, version and outcome.",
        );
        for ((policy, version, outcome), n) in decisions {
            let _ = writeln!(
                out,
                "proviso_decisions_total{{policy=\"{}\",version=\"{}\",outcome=\"{outcome}\"}} {n}",
                label(&policy),
                label(&version)
            );
        }
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        head(
            &mut out,
            "proviso_documents_refused_total",
            "counter",
            "Documents that got no decision, by the HTTP status of their problem.",
        );
        for (status, n) in refused {
            let _ = writeln!(
                out,
                "proviso_documents_refused_total{{status=\"{status}\"}} {n}"
            );
        }
        head(
            &mut out,
            "proviso_decision_duration_seconds",
            "histogram",
            "Time to read and decide one document.",
        );
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS_MICROS) {
            let _ = writeln!(
                out,
                "proviso_decision_duration_seconds_bucket{{le=\"{}\"}} {}",
                seconds(bound),
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "proviso_decision_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "proviso_decision_duration_seconds_sum {}",
            seconds(self.sum_micros.load(Ordering::Relaxed))
        );
        let _ = writeln!(out, "proviso_decision_duration_seconds_count {count}");
        let counters = [
            (
                "proviso_reloads_total",
                "Policy reloads tried after the first load, whatever their result.",
                &self.reloads,
            ),
            (
                "proviso_reload_failures_total",
                "Policy reloads that failed (the previous policies kept serving).",
                &self.reload_failures,
            ),
            (
                "proviso_decision_log_failures_total",
                "Decisions that could not be written to the decision log.",
                &self.decision_log_failures,
            ),
        ];
        for (name, help, value) in counters {
            head(&mut out, name, "counter", help);
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        head(
            &mut out,
            "proviso_policy_versions_loaded",
            "gauge",
            "Policy versions in the set that serves.",
        );
        let _ = writeln!(out, "proviso_policy_versions_loaded {versions_loaded}");
        out
    }
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value escaped as the format asks: backslash, double quote and line feed.
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Microseconds as seconds, exactly (`2500` is `0.0025`).
fn seconds(micros: u64) -> String {
    let whole = micros / 1_000_000;
    let frac = format!("{:06}", micros % 1_000_000);
    match frac.trim_end_matches('0') {
        "" => whole.to_string(),
        f => format!("{whole}.{f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact() {
        assert_eq!(seconds(2_500), "0.0025");
        assert_eq!(seconds(1_000_000), "1");
        assert_eq!(seconds(1_500_000), "1.5");
        assert_eq!(seconds(0), "0");
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn a_decision_counts_in_its_bucket_and_every_larger_one() {
        let m = Metrics::default();
        let (p, v): (Arc<str>, Arc<str>) = ("p".into(), "v1".into());
        m.decided(&p, &v, Outcome::Approved, Duration::from_micros(2_000));
        m.refused(422);
        let text = m.render(1);
        for line in [
            "proviso_decisions_total{policy=\"p\",version=\"v1\",outcome=\"approved\"} 1",
            "proviso_documents_refused_total{status=\"422\"} 1",
            "proviso_decision_duration_seconds_bucket{le=\"0.001\"} 0",
            "proviso_decision_duration_seconds_bucket{le=\"0.0025\"} 1",
            "proviso_decision_duration_seconds_bucket{le=\"+Inf\"} 1",
            "proviso_decision_duration_seconds_sum 0.002",
            "proviso_decision_duration_seconds_count 1",
            "proviso_reloads_total 0",
            "proviso_policy_versions_loaded 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
    }
}
